# tests/unit: the cmocka unit tests, a folder per component, each test
# named after the source it tests (tests/unit/<component>/test_<source>.c;
# a test that covers several sources says which at its top):
#
#   tests/unit/libfleetmod/   host-api/src/*.c and the header-only helpers
#                             for modules (fleetmod/msgcheck.h, modutil.h);
#                             modules/ holds the test modules they load
#   tests/unit/mobway/        plugin/mobway/*.c
#
# Outputs: $(B)/tests/unit/<component>/test_<source> and the test modules
# in $(B)/tests/unit/libfleetmod/modules/.
#
#   make check-libfleetmod     libfleetmod's tests, under memcheck
#   make check-msgcheck        fleetmod/msgcheck.h on its own, under memcheck
#   make check-modutil         fleetmod/modutil.h on its own, under memcheck
#   make check-mobway-unit     mobway.so's concerns (check-mobway runs it too)

UNIT_B := $(B)/tests/unit
UNIT_OBJ := $(OBJDIR_B)/tests/unit

# ------------------------------------------------------------ libfleetmod
#
# Test modules: modules/fake.c (answers as its tests choose) and broken.c,
# built once per broken rule of the contract (-DBROKEN_<rule>).

LIBFLEETMOD_TESTMOD_DIR := $(UNIT_B)/libfleetmod/modules
LIBFLEETMOD_TESTMOD_SRC := tests/unit/libfleetmod/modules
LIBFLEETMOD_BROKEN := nosym nulltable abi small badname noversion nosend
LIBFLEETMOD_TESTMODS := $(LIBFLEETMOD_TESTMOD_DIR)/fake.so \
	$(LIBFLEETMOD_TESTMOD_DIR)/fake_big.so \
	$(LIBFLEETMOD_BROKEN:%=$(LIBFLEETMOD_TESTMOD_DIR)/broken_%.so)

$(LIBFLEETMOD_TESTMOD_DIR)/fake.so: $(LIBFLEETMOD_TESTMOD_SRC)/fake.c \
	host-api/include/fleetmod/module.h
	$(call say,CCLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(compile) $(MODULE_CFLAGS) $(call pc_cflags,$(MSGPACK_PC)) \
		$(BASE_LDFLAGS) $(LDFLAGS) $(MODULE_LDFLAGS) -o $@ $< \
		$(call pc_libs,$(MSGPACK_PC))

# The same fake module stating a batch limit of 2500 in its table.
$(LIBFLEETMOD_TESTMOD_DIR)/fake_big.so: $(LIBFLEETMOD_TESTMOD_SRC)/fake.c \
	host-api/include/fleetmod/module.h
	$(call say,CCLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(compile) $(MODULE_CFLAGS) -DFAKE_MAX_BATCH=2500 \
		$(call pc_cflags,$(MSGPACK_PC)) \
		$(BASE_LDFLAGS) $(LDFLAGS) $(MODULE_LDFLAGS) -o $@ $< \
		$(call pc_libs,$(MSGPACK_PC))

$(LIBFLEETMOD_TESTMOD_DIR)/broken_%.so: $(LIBFLEETMOD_TESTMOD_SRC)/broken.c \
	host-api/include/fleetmod/module.h
	$(call say,CCLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(compile) $(MODULE_CFLAGS) -DBROKEN_$* \
		$(BASE_LDFLAGS) $(LDFLAGS) $(MODULE_LDFLAGS) -o $@ $<

LIBFLEETMOD_TESTS := handle rc reply json stack
LIBFLEETMOD_TEST_BINS := $(LIBFLEETMOD_TESTS:%=$(UNIT_B)/libfleetmod/test_%)
LIBFLEETMOD_TEST_OBJS := $(LIBFLEETMOD_TESTS:%=$(UNIT_OBJ)/libfleetmod/test_%.o)

$(LIBFLEETMOD_TEST_OBJS): EXTRA_CFLAGS := \
	$(call pc_cflags,cmocka $(MSGPACK_PC)) \
	-DTEST_MODULES='"$(abspath $(LIBFLEETMOD_TESTMOD_DIR))"'

# $(LIBFLEETMOD_LINK)'s run path ($ORIGIN/../lib) serves programs directly
# under $(B); these sit three levels down, so they carry their own.
$(LIBFLEETMOD_TEST_BINS): $(UNIT_B)/libfleetmod/%: \
		$(UNIT_OBJ)/libfleetmod/%.o $(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $< -L$(LIBDIR_B) -lfleetmod \
		-Wl,-rpath,'$$ORIGIN/../../../lib' \
		$(call pc_libs,cmocka $(MSGPACK_PC)) -pthread

# Each test program runs under memcheck ($(MEMCHECK): definite and indirect
# leaks are errors; empty in sanitizer builds, which check themselves).
.PHONY: check-libfleetmod
check-libfleetmod: $(LIBFLEETMOD_TEST_BINS) $(LIBFLEETMOD_TESTMODS)
	$(Q)for t in $(LIBFLEETMOD_TEST_BINS); do \
		echo "  TEST   $$t"; \
		$(MEMCHECK) $$t || exit 1; \
	done

CHECK_TARGETS += check-libfleetmod

# The helpers for modules on their own: fleetmod/msgcheck.h
# (check-msgcheck) and fleetmod/modutil.h (check-modutil). Header-only, as
# modules use them: the tests link msgpack-c and cmocka, nothing of
# libfleetmod.
MODHELPER_TESTS := msgcheck modutil
$(MODHELPER_TESTS:%=$(UNIT_OBJ)/libfleetmod/test_%.o): EXTRA_CFLAGS := \
	$(call pc_cflags,cmocka $(MSGPACK_PC))
$(MODHELPER_TESTS:%=$(UNIT_B)/libfleetmod/test_%): $(UNIT_B)/libfleetmod/%: \
		$(UNIT_OBJ)/libfleetmod/%.o
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $< \
		$(call pc_libs,cmocka $(MSGPACK_PC)) -pthread

.PHONY: $(MODHELPER_TESTS:%=check-%)
$(MODHELPER_TESTS:%=check-%): check-%: $(UNIT_B)/libfleetmod/test_%
	@echo "  TEST   $<"
	$(Q)$(MEMCHECK) $<

CHECK_TARGETS += $(MODHELPER_TESTS:%=check-%)

# ----------------------------------------------------------------- mobway
#
# Each test links the objects of the concerns it covers (hidden visibility
# only matters for the .so), plus log.o and secrets.o that they use.
# MOBWAY_DIR, MOBWAY_CFLAGS and MOBWAY_LIBS come from plugin/mobway/build.mk.

MOBWAY_UNIT := sign timeconv json_msg config errmap validate answer
MOBWAY_UNIT_BINS := $(MOBWAY_UNIT:%=$(UNIT_B)/mobway/test_%)
MOBWAY_TEST_CFLAGS := -iquote $(MOBWAY_DIR) $(MOBWAY_CFLAGS) \
	$(call pc_cflags,cmocka) -DSYSCONFDIR='"$(SYSCONFDIR)"'
MOBWAY_TEST_LIBS := $(MOBWAY_LIBS) $(call pc_libs,cmocka)
mw_obj = $(OBJDIR_B)/$(MOBWAY_DIR)/$(1).o

$(MOBWAY_UNIT:%=$(UNIT_OBJ)/mobway/test_%.o): \
	EXTRA_CFLAGS := $(MOBWAY_TEST_CFLAGS)

$(UNIT_B)/mobway/test_sign: $(call mw_obj,sign)
$(UNIT_B)/mobway/test_timeconv: $(call mw_obj,timeconv)
$(UNIT_B)/mobway/test_json_msg: $(call mw_obj,json_msg)
$(UNIT_B)/mobway/test_config: $(call mw_obj,config) $(call mw_obj,secrets) \
	$(call mw_obj,log) $(call mw_obj,validate) $(call mw_obj,cafile)
$(UNIT_B)/mobway/test_errmap: $(call mw_obj,errmap)
$(UNIT_B)/mobway/test_validate: $(call mw_obj,validate)
$(UNIT_B)/mobway/test_answer: $(call mw_obj,answer) $(call mw_obj,reply) \
	$(call mw_obj,errmap) $(call mw_obj,json_msg) $(call mw_obj,timeconv) \
	$(call mw_obj,validate)

$(MOBWAY_UNIT_BINS): $(UNIT_B)/mobway/test_%: $(UNIT_OBJ)/mobway/test_%.o
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(MOBWAY_TEST_LIBS)

# test_sign checks its signatures against sign_check.py (python3's json
# and hmac), found through MOBWAY_SIGN_CHECK.
.PHONY: check-mobway-unit
check-mobway-unit: $(MOBWAY_UNIT_BINS)
	$(Q)set -e; for t in $(MOBWAY_UNIT_BINS); do \
		echo "  TEST   $$t"; \
		MOBWAY_SIGN_CHECK=tests/unit/mobway/sign_check.py $$t; done

CHECK_TARGETS += check-mobway-unit
