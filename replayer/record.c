#include <stdio.h>
int cmd_record(int argc, char **argv);
int cmd_record(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("qftp: record is not built yet\n", stderr);
    return 2;
}
