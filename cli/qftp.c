/* qftp.c - the qftp command-line tool. The commands and their options are registered in
 * commands.c; the tool layer (tool/) parses, helps and dispatches. */
#include "commands.h"

int main(int argc, char **argv)
{
    return tool_main(&qftp_program, argc, argv);
}
