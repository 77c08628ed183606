# fleetmod-conformance: any module against the contract (module.h and
# msgcheck.h, dlopen, msgpack-c and libc; deliberately not libfleetmod).
# Its check runs it on the skeleton (also under memcheck), on a minimal
# stub module that must pass, and on broken builds of the stub that must
# each fail one check.

CONFORMANCE_DIR  := tests/conformance
CONFORMANCE      := $(BINDIR_B)/fleetmod-conformance
CONFORMANCE_RUN  := sh $(CONFORMANCE_DIR)/run.sh $(CONFORMANCE)
CONFORMANCE_SRCS := $(addprefix $(CONFORMANCE_DIR)/,main.c tap.c elfsyms.c \
                      reply.c cases.c calls.c life.c)
CONFORMANCE_OBJS := $(CONFORMANCE_SRCS:%.c=$(OBJDIR_B)/%.o)

# The size check of untrusted msgpack, the error names and the delivered
# answers are the installed headers' (fleetmod/msgcheck.h, module.h), the
# ones every module uses: nothing of examples/ is linked in.
$(CONFORMANCE_OBJS): EXTRA_CFLAGS := $(call pc_cflags,$(MSGPACK_PC))

$(CONFORMANCE): $(CONFORMANCE_OBJS)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $^ \
	    $(call pc_libs,$(MSGPACK_PC)) -ldl -pthread

# The stub and its broken builds (-DBREAK_<RULE>). Kept out of
# $(MODDIR_B) so that no module search ever finds them.
CONFORMANCE_STUB_DIR := $(B)/conformance
CONFORMANCE_BREAKS   := ABI NO_SEND EXTRA_SYMBOL DELIVERED
CONFORMANCE_STUBS    := $(CONFORMANCE_STUB_DIR)/stub.so \
    $(CONFORMANCE_BREAKS:%=$(CONFORMANCE_STUB_DIR)/stub-%.so)

$(CONFORMANCE_STUBS): $(CONFORMANCE_STUB_DIR)/%.so: \
		$(CONFORMANCE_DIR)/broken/stub.c
	$(call say,CCLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(compile) $(MODULE_CFLAGS) \
	    $(if $(filter stub-%,$*),-DBREAK_$(patsubst stub-%,%,$*)) \
	    $(call pc_cflags,$(MSGPACK_PC)) $(BASE_LDFLAGS) $(LDFLAGS) \
	    $(MODULE_LDFLAGS) -o $@ $< $(call pc_libs,$(MSGPACK_PC))

# The stubs are check fixtures: built by check-conformance, not by all.
ALL_TARGETS += $(CONFORMANCE)

.PHONY: check-conformance
check-conformance: $(CONFORMANCE) $(CONFORMANCE_STUBS) $(SKELETON_SO)
	$(Q)$(CONFORMANCE_RUN) $(SKELETON_SO) $(SKELETON_CONF) \
	    --vin WP0ZZZ99ZTS392124 --command location
	$(Q)UNDER_MEMCHECK=1 $(CONFORMANCE_RUN) $(SKELETON_SO) $(SKELETON_CONF) \
	    --vin WP0ZZZ99ZTS392124 --command location
	$(Q)$(CONFORMANCE_RUN) $(CONFORMANCE_STUB_DIR)/stub.so $(SKELETON_CONF)
	$(Q)EXPECT_FAIL='table: abi_version is 1' $(CONFORMANCE_RUN) \
	    $(CONFORMANCE_STUB_DIR)/stub-ABI.so $(SKELETON_CONF)
	$(Q)EXPECT_FAIL='table: init, send, confirm and status are set' \
	    $(CONFORMANCE_RUN) $(CONFORMANCE_STUB_DIR)/stub-NO_SEND.so \
	    $(SKELETON_CONF)
	$(Q)EXPECT_FAIL='exports only fleetmod_module_v1' $(CONFORMANCE_RUN) \
	    $(CONFORMANCE_STUB_DIR)/stub-EXTRA_SYMBOL.so $(SKELETON_CONF)
	$(Q)EXPECT_FAIL='send: empty request -> EINVAL and a failed reply: .*error.delivered is not "no"' \
	    $(CONFORMANCE_RUN) $(CONFORMANCE_STUB_DIR)/stub-DELIVERED.so \
	    $(SKELETON_CONF)

CHECK_TARGETS += check-conformance

# Another module checks itself with one line in its own build.mk, e.g.
#   $(CONFORMANCE_RUN) $(MODDIR_B)/mobway.so CONFIG --vin VIN --command location
# (CONFORMANCE_RUN is defined above; depend on $(CONFORMANCE)).

.PHONY: install-conformance uninstall-conformance
install-conformance: $(CONFORMANCE)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(CONFORMANCE) $(DESTDIR)$(BINDIR)/

uninstall-conformance:
	rm -f $(DESTDIR)$(BINDIR)/fleetmod-conformance

INSTALL_TARGETS += install-conformance
UNINSTALL_TARGETS += uninstall-conformance
