# plugin/mobway: the Mobway provider module, mobway.so, and its tests.
#
#   make build/modules/mobway.so   the module
#   make check-mobway-unit         cmocka unit tests of its concerns
#   make check-mobway              unit tests, then the module against
#                                  mobway-sim (HTTP and HTTPS)

MOBWAY_DIR   := plugin/mobway
MOBWAY_SO    := $(MODDIR_B)/mobway.so
MOBWAY_SRCS  := $(wildcard $(MOBWAY_DIR)/*.c)
MOBWAY_OBJS  := $(MOBWAY_SRCS:%.c=$(OBJDIR_B)/%.o)
MOBWAY_PKGS  := libcurl jansson inih libcrypto $(MSGPACK_PC)
MOBWAY_CFLAGS := $(call pc_cflags,$(MOBWAY_PKGS))
MOBWAY_LIBS  := $(call pc_libs,$(MOBWAY_PKGS)) -lpthread

$(MOBWAY_OBJS): EXTRA_CFLAGS := $(MODULE_CFLAGS) $(MOBWAY_CFLAGS) \
	-DSYSCONFDIR='"$(SYSCONFDIR)"' -DMOBWAY_VERSION='"$(VERSION)"'

# -z nodelete: libcurl and OpenSSL keep process-wide state (atexit
# handlers, thread-local error queues) that must not vanish with the
# module, so a dlclose leaves mobway.so mapped rather than unmapping code
# those libraries may still call back into.
$(MOBWAY_SO): $(MOBWAY_OBJS) $(MOBWAY_DIR)/mobway.map
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(MODULE_LDFLAGS) $(LDFLAGS) \
		-Wl,--version-script=$(MOBWAY_DIR)/mobway.map -Wl,-z,nodelete \
		-o $@ $(MOBWAY_OBJS) $(MOBWAY_LIBS)

ALL_TARGETS += $(MOBWAY_SO)

# The conffile: example values, no secrets, pointing at secret files the
# administrator creates. Once there it is the administrator's: install
# never overwrites it (a newer example goes beside an edited one as
# mobway.conf.example), and uninstall removes it only while it is still
# the unedited example.
MOBWAY_CONF_DIR := $(DESTDIR)$(SYSCONFDIR)/fleetmod

# The provider registers itself in the default stack with a drop-in
# (fleetmod-stack(5), DROP-IN FILES), disabled until the operator has set
# up mobway.conf: SYSCONFDIR/fleetmod/stack.d/mobway.conf, naming this
# build's SYSCONFDIR. Like mobway.conf, it is the administrator's once there.
MOBWAY_DROPIN := $(B)/etc/stack.d/mobway.conf
$(MOBWAY_DROPIN): host-api/dropin-mobway.conf.example $(PATHS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)sed 's|/etc/fleetmod/|$(SYSCONFDIR)/fleetmod/|g' $< >$@
ALL_TARGETS += $(MOBWAY_DROPIN)

.PHONY: install-mobway uninstall-mobway
install-mobway: $(MOBWAY_SO) $(MOBWAY_DROPIN)
	$(INSTALL) -d $(DESTDIR)$(MODULEDIR) $(MOBWAY_CONF_DIR) \
		$(MOBWAY_CONF_DIR)/stack.d
	$(INSTALL) -m 0755 $(MOBWAY_SO) $(DESTDIR)$(MODULEDIR)/mobway.so
	test -e $(MOBWAY_CONF_DIR)/stack.d/mobway.conf || \
		$(INSTALL) -m 0644 $(MOBWAY_DROPIN) \
			$(MOBWAY_CONF_DIR)/stack.d/mobway.conf
	if ! test -e $(MOBWAY_CONF_DIR)/mobway.conf; then \
		$(INSTALL) -m 0644 $(MOBWAY_DIR)/mobway.conf.example \
			$(MOBWAY_CONF_DIR)/mobway.conf; \
	elif ! cmp -s $(MOBWAY_DIR)/mobway.conf.example \
			$(MOBWAY_CONF_DIR)/mobway.conf; then \
		$(INSTALL) -m 0644 $(MOBWAY_DIR)/mobway.conf.example \
			$(MOBWAY_CONF_DIR)/mobway.conf.example; fi

uninstall-mobway:
	if cmp -s $(MOBWAY_DIR)/mobway.conf.example $(MOBWAY_CONF_DIR)/mobway.conf; \
		then rm -f $(MOBWAY_CONF_DIR)/mobway.conf; fi
	if cmp -s $(MOBWAY_DROPIN) $(MOBWAY_CONF_DIR)/stack.d/mobway.conf; \
		then rm -f $(MOBWAY_CONF_DIR)/stack.d/mobway.conf; fi
	rmdir $(MOBWAY_CONF_DIR)/stack.d 2>/dev/null || true
	rm -f $(DESTDIR)$(MODULEDIR)/mobway.so \
		$(MOBWAY_CONF_DIR)/mobway.conf.example

INSTALL_TARGETS += install-mobway
UNINSTALL_TARGETS += uninstall-mobway

# ---------------------------------------------------------------- unit tests
# check-mobway-unit and its tests: tests/unit/build.mk.

# ------------------------------------------------------ integration tests
# A C harness dlopens the module as a host would and drives it against
# mobway-sim; run.sh starts the simulators (HTTP, HTTPS, short tokens).
MOBWAY_IT := $(B)/tests/mobway/test_mobway
MOBWAY_IT_PKGS := libcurl jansson $(MSGPACK_PC)
$(OBJDIR_B)/tests/mobway/test_mobway.o: EXTRA_CFLAGS := \
	$(call pc_cflags,$(MOBWAY_IT_PKGS))
$(MOBWAY_IT): $(OBJDIR_B)/tests/mobway/test_mobway.o
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(call pc_libs,$(MOBWAY_IT_PKGS)) -ldl

check-mobway: check-mobway-unit $(MOBWAY_IT) $(MOBWAY_SO) $(BINDIR_B)/mobway-sim \
		$(BINDIR_B)/fleetmod-conformance
	$(Q)sh tests/mobway/run.sh $(MOBWAY_IT) $(MOBWAY_SO) \
		$(BINDIR_B)/mobway-sim $(BINDIR_B)/fleetmod-conformance

CHECK_TARGETS += check-mobway
