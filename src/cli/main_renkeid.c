/* renkeid — the renkei server. */
#include "cli/app.h"

int main(int argc, char **argv)
{
    return app_serve_main(argc, argv);
}
