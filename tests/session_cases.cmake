# Run after test_session is built (cmake -P): writes the ctest file that registers one
# test per session case, unit.session.NAME, from the names the test program itself lists
# (test_session --cases), so a failure names its case and a new case needs no edit here.
#   -D TEST=<path of test_session> -D OUT=<ctest file to write>
execute_process(COMMAND "${TEST}" --cases OUTPUT_VARIABLE names RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${TEST} --cases failed (${rc})")
endif()
string(REGEX REPLACE "\n$" "" names "${names}")
string(REPLACE "\n" ";" names "${names}")
set(body "")
foreach(n IN LISTS names)
  string(APPEND body "add_test(unit.session.${n} \"${TEST}\" -p /case/${n})\n"
                     "set_tests_properties(unit.session.${n} PROPERTIES ENVIRONMENT G_DEBUG=fatal-criticals)\n")
endforeach()
file(WRITE "${OUT}" "${body}")
