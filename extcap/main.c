/* main.c - qftp-extcap, the program Wireshark finds in its extcap folder: `qftp extcap`
 * with Wireshark's arguments, on its own (it needs no qftp beside it). */
#include <string.h>

#include "cmd_extcap.h"

static const tool_command *const commands[] = {&qftp_cmd_extcap, NULL};

static const tool_example no_examples[] = {{NULL}};

static const tool_exit no_exits[] = {{-1}};

static const tool_program program = {
    .name = "qftp",
    .summary = "qftp's capture interfaces for Wireshark",
    .description = "Runs `qftp extcap` with the arguments given.",
    .commands = commands,
    .examples = no_examples,
    .exits = no_exits,
};

int main(int argc, char **argv)
{
    char **v = g_new0(char *, (gsize)argc + 2);
    v[0] = argv[0];
    v[1] = "extcap";
    if (argc > 1)
        memcpy(v + 2, argv + 1, (size_t)(argc - 1) * sizeof *v);
    int rc = tool_main(&program, argc + 1, v);
    g_free(v);
    return rc;
}
