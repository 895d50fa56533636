/* screen-io: export and import screens (issue 5). */
#include "config.h"
int screen_io_unused;
