# Runs the built qftp to write its man pages and bash completion (cli/CMakeLists.txt).
# -DQFTP=path -DMAN_DIR=dir -DCOMPLETION=file [-DEMULATOR=...]
set(ENV{ASAN_OPTIONS} "detect_leaks=0") # a sanitizer build runs it too
file(REMOVE_RECURSE ${MAN_DIR})
execute_process(COMMAND ${EMULATOR} ${QFTP} --generate-man ${MAN_DIR}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "qftp --generate-man failed (${rc})")
endif()
get_filename_component(dir ${COMPLETION} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${EMULATOR} ${QFTP} --generate-completion bash
                OUTPUT_FILE ${COMPLETION} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "qftp --generate-completion failed (${rc})")
endif()
