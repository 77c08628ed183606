/*
 * commands.h - send, confirm and status: the calls, the confirmation step
 * and the wait, in the order a person would do them by hand.
 *
 * Each returns fleetcmd's exit status (exit.h): the rc of a call that
 * failed, else what the last reply says of the command. A failed call
 * after which the command may exist at the provider (delivered "unknown",
 * or a status lookup that did not get through) is followed on stderr by
 * the status command line to run, when the reply or this run knows the
 * command's id.
 */
#ifndef FLEETCMD_COMMANDS_H
#define FLEETCMD_COMMANDS_H

#include "session.h"

/*
 * send VIN COMMAND. When the reply asks for confirmation:
 *   --yes             confirm with the reply's code, without asking;
 *   a terminal        show the provider's message and ask y/N;
 *   neither           print the code and how to confirm, and stop (exit
 *                     22, nothing was executed; a declined prompt too).
 * send --code CODE is confirm VIN COMMAND CODE: a script that kept the code
 * of an earlier send confirms that command; sending again would start a
 * new command with a new code.
 * --wait then follows the confirmed (or unconfirmed) command's status.
 */
int fc_cmd_send(struct fc_session *s);
int fc_cmd_confirm(struct fc_session *s);
int fc_cmd_status(struct fc_session *s);

#endif
