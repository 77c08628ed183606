# fleetcmd: the command-line host (examples/fleetcmd), and `make demo`.
#
# Outputs: $(BINDIR_B)/fleetcmd. It links libfleetmod (with its $ORIGIN run
# path, so build/bin/fleetcmd runs in place), msgpack-c for the detail
# lines of its human output, jansson for `modules --json` and the journal's
# JSON, and pthreads for the progress line of long journal calls.

FLEETCMD_SRCS := $(wildcard examples/fleetcmd/*.c)
FLEETCMD_OBJS := $(FLEETCMD_SRCS:%.c=$(OBJDIR_B)/%.o)
FLEETCMD := $(BINDIR_B)/fleetcmd
FLEETCMD_PC_DEPS := $(MSGPACK_PC) jansson

$(FLEETCMD_OBJS): EXTRA_CFLAGS := $(call pc_cflags,$(FLEETCMD_PC_DEPS)) \
	-DFLEETCMD_VERSION='"$(VERSION)"' -pthread

$(FLEETCMD): $(FLEETCMD_OBJS) $(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $(FLEETCMD_OBJS) \
		$(LIBFLEETMOD_LINK) $(call pc_libs,$(FLEETCMD_PC_DEPS)) -ldl -pthread

ALL_TARGETS += $(FLEETCMD)

.PHONY: install-fleetcmd uninstall-fleetcmd
install-fleetcmd: $(FLEETCMD)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(FLEETCMD) $(DESTDIR)$(BINDIR)/fleetcmd

uninstall-fleetcmd:
	rm -f $(DESTDIR)$(BINDIR)/fleetcmd

INSTALL_TARGETS += install-fleetcmd
UNINSTALL_TARGETS += uninstall-fleetcmd

# deps and all run in their own sub-makes first: the pkg-config flags are
# read when make starts, so a machine that just got its packages needs a
# fresh make to see them.
demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo/demo.sh $(B)
