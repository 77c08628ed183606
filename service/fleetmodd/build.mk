# fleetmodd: the providers as a local HTTP service (service/fleetmodd,
# fleetmodd(8)).
#
# Outputs: $(B)/sbin/fleetmodd (libfleetmod with its $ORIGIN run path,
# libmicrohttpd, jansson, libcurl for webhooks, libcrypto for SHA-256 and
# HMAC, libsystemd for sd_notify), and $(B)/fleetmodd.service, the unit
# with this build's paths. The OpenAPI document (openapi.json) is compiled
# into the binary, served at /v1/openapi.json, and installed too.

FLEETMODD_DIR := service/fleetmodd
FLEETMODD_SRCS := $(wildcard $(FLEETMODD_DIR)/*.c)
FLEETMODD_OBJS := $(FLEETMODD_SRCS:%.c=$(OBJDIR_B)/%.o) \
	$(OBJDIR_B)/$(FLEETMODD_DIR)/openapi_doc.o
FLEETMODD := $(B)/sbin/fleetmodd
FLEETMODD_UNIT := $(B)/fleetmodd.service
FLEETMODD_PC_DEPS := libmicrohttpd jansson libcurl libcrypto libsystemd inih
SBINDIR ?= $(EXEC_PREFIX)/sbin
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system

$(FLEETMODD_OBJS): EXTRA_CFLAGS := $(call pc_cflags,$(FLEETMODD_PC_DEPS)) \
	-DFLEETMOD_VERSION='"$(VERSION)"' \
	-DFLEETMOD_SYSCONFDIR='"$(SYSCONFDIR)"'

# The document as one C string, line by line.
$(OBJDIR_B)/$(FLEETMODD_DIR)/openapi_doc.c: $(FLEETMODD_DIR)/openapi.json
	$(call say,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q){ echo 'const char fmd_openapi_json[] ='; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
		echo ';'; } >$@.tmp && mv $@.tmp $@

$(OBJDIR_B)/$(FLEETMODD_DIR)/openapi_doc.o: \
	$(OBJDIR_B)/$(FLEETMODD_DIR)/openapi_doc.c
	$(call say,CC,$<)
	$(Q)$(compile) -c -o $@ $<

$(FLEETMODD): $(FLEETMODD_OBJS) $(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $(FLEETMODD_OBJS) \
		$(LIBFLEETMOD_LINK) $(call pc_libs,$(FLEETMODD_PC_DEPS)) -pthread

$(FLEETMODD_UNIT): $(FLEETMODD_DIR)/fleetmodd.service.in $(PATHS_STAMP)
	$(call say,GEN,$@)
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		$< >$@.tmp && mv $@.tmp $@

ALL_TARGETS += $(FLEETMODD) $(FLEETMODD_UNIT)

# The config is the administrator's once there: installed only when
# absent (every line of the example is a comment), removed by uninstall
# only while it is still the unedited example.
FLEETMODD_CONF_DIR := $(DESTDIR)$(SYSCONFDIR)/fleetmod

.PHONY: install-fleetmodd uninstall-fleetmodd
install-fleetmodd: $(FLEETMODD) $(FLEETMODD_UNIT)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(DATADIR)/fleetmod $(FLEETMODD_CONF_DIR)
	$(INSTALL) -m 0755 $(FLEETMODD) $(DESTDIR)$(SBINDIR)/fleetmodd
	$(INSTALL) -m 0644 $(FLEETMODD_DIR)/fleetmodd.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(FLEETMODD_DIR)/fleetmodd.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 $(FLEETMODD_UNIT) $(DESTDIR)$(SYSTEMDUNITDIR)/
	$(INSTALL) -m 0644 $(FLEETMODD_DIR)/openapi.json \
		$(DESTDIR)$(DATADIR)/fleetmod/fleetmodd-openapi.json
	test -e $(FLEETMODD_CONF_DIR)/fleetmodd.conf || \
		$(INSTALL) -m 0644 $(FLEETMODD_DIR)/fleetmodd.conf.example \
		$(FLEETMODD_CONF_DIR)/fleetmodd.conf

uninstall-fleetmodd:
	rm -f $(DESTDIR)$(SBINDIR)/fleetmodd $(DESTDIR)$(MANDIR)/man8/fleetmodd.8 \
		$(DESTDIR)$(MANDIR)/man5/fleetmodd.conf.5 \
		$(DESTDIR)$(SYSTEMDUNITDIR)/fleetmodd.service \
		$(DESTDIR)$(DATADIR)/fleetmod/fleetmodd-openapi.json
	if cmp -s $(FLEETMODD_DIR)/fleetmodd.conf.example \
		$(FLEETMODD_CONF_DIR)/fleetmodd.conf; then \
		rm -f $(FLEETMODD_CONF_DIR)/fleetmodd.conf; fi
	-rmdir $(DESTDIR)$(DATADIR)/fleetmod $(FLEETMODD_CONF_DIR) 2>/dev/null

INSTALL_TARGETS += install-fleetmodd
UNINSTALL_TARGETS += uninstall-fleetmodd
