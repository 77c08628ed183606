# The skeleton provider: a complete module for OEM integrators to copy.
# Built like any provider: hidden visibility, a version script that exports
# only fleetmod_module_v1, msgpack-c and inih, nothing of libfleetmod (the
# header-only fleetmod/msgcheck.h and fleetmod/modutil.h need no library).

SKELETON_DIR  := examples/providers/skeleton
SKELETON_SO   := $(MODDIR_B)/skeleton.so
SKELETON_CONF := $(SKELETON_DIR)/skeleton.conf
SKELETON_SRCS := $(addprefix $(SKELETON_DIR)/,skeleton.c config.c request.c \
                   commands.c store.c reply.c)
SKELETON_OBJS := $(SKELETON_SRCS:%.c=$(OBJDIR_B)/%.o)

# Set on the objects themselves (not inherited from the .so) so that they
# get the same flags whichever target makes make build them first.
$(SKELETON_OBJS): EXTRA_CFLAGS := $(MODULE_CFLAGS) \
    $(call pc_cflags,$(MSGPACK_PC)) $(call pc_cflags,inih) \
    -DSK_DEFAULT_CONFIG='"$(SYSCONFDIR)/fleetmod/skeleton.conf"'

# skeleton.o embeds SYSCONFDIR: rebuild it when the install paths change
# (libfleetmod's stamp of them, rewritten only when they differ).
$(OBJDIR_B)/$(SKELETON_DIR)/skeleton.o: $(LIBFLEETMOD_PATHS)

$(SKELETON_SO): $(SKELETON_OBJS) $(SKELETON_DIR)/skeleton.map
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) $(MODULE_LDFLAGS) \
	    -Wl,--version-script=$(SKELETON_DIR)/skeleton.map -o $@ \
	    $(SKELETON_OBJS) $(call pc_libs,$(MSGPACK_PC)) $(call pc_libs,inih) \
	    -lpthread

ALL_TARGETS += $(SKELETON_SO)

# The skeleton's own behaviours (confirmation, batches, wait, config
# refusals), through the built module as a host sees it, under memcheck.
SKELETON_TEST := $(B)/unit/test_skeleton
SKELETON_TEST_OBJ := $(OBJDIR_B)/$(SKELETON_DIR)/test_skeleton.o

$(SKELETON_TEST_OBJ): EXTRA_CFLAGS := $(call pc_cflags,cmocka $(MSGPACK_PC)) \
    -DSKELETON_SO='"$(abspath $(SKELETON_SO))"' \
    -DSKELETON_CONF='"$(abspath $(SKELETON_CONF))"'

$(SKELETON_TEST): $(SKELETON_TEST_OBJ)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $^ \
	    $(call pc_libs,cmocka $(MSGPACK_PC)) -ldl

.PHONY: check-skeleton
check-skeleton: $(SKELETON_TEST) $(SKELETON_SO)
	@echo "  TEST   $(SKELETON_TEST)"
	$(Q)$(MEMCHECK) $(SKELETON_TEST)

# Test programs are check fixtures, built by check-skeleton, not by all
# (a package build need not have cmocka).
CHECK_TARGETS += check-skeleton
