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
.PHONY: install-mobway uninstall-mobway
install-mobway: $(MOBWAY_SO)
	$(INSTALL) -d $(DESTDIR)$(MODULEDIR) $(MOBWAY_CONF_DIR)
	$(INSTALL) -m 0755 $(MOBWAY_SO) $(DESTDIR)$(MODULEDIR)/mobway.so
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
