/*
 * list.h - the list file of a batch (--vins-file, --ids-file), read and
 * checked before anything is loaded.
 *
 * One VIN (or command id) per line. Everything from '#' to the end of a
 * line is a comment; blanks around an item and empty lines are ignored,
 * and so is a '\r' before the newline (a file saved on Windows). A line
 * that holds more than one word or a control character, an item that
 * repeats an earlier line, a file with no item, or a file that cannot be
 * read is a usage error naming the file and the line: nothing was loaded
 * and nothing was sent. Repeats are refused because a VIN listed twice
 * would run its command twice on that vehicle. VINs are upper-cased
 * first (vin.h), so "wp0..." repeats "WP0...".
 */
#ifndef FLEETCMD_LIST_H
#define FLEETCMD_LIST_H

#include <stddef.h>

struct fc_list {
    char **items; /* n items, in file order, each NUL-terminated */
    size_t n;
};

/* Read path ("-": standard input) into *out; what names an item in
 * messages ("VIN", "id"). Returns 0, or FC_EXIT_USAGE after saying why on
 * stderr in one line, without a hint to --help: the command line was
 * right (then *out is empty). */
int fc_list_read(const char *path, const char *what, struct fc_list *out);

void fc_list_free(struct fc_list *l);

#endif
