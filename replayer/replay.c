#include <stdio.h>
int cmd_replay(int argc, char **argv);
int cmd_replay(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("qftp: replay is not built yet\n", stderr);
    return 2;
}
