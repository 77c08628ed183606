# The skeleton provider: a complete module for OEM integrators to copy.
# Built like any provider: hidden visibility, a version script that exports
# only fleetmod_module_v1, msgpack-c and inih, nothing of libfleetmod.

SKELETON_DIR  := examples/providers/skeleton
SKELETON_SO   := $(MODDIR_B)/skeleton.so
SKELETON_CONF := $(SKELETON_DIR)/skeleton.conf
SKELETON_SRCS := $(addprefix $(SKELETON_DIR)/,skeleton.c config.c request.c \
                   msgsize.c commands.c store.c reply.c)
SKELETON_OBJS := $(SKELETON_SRCS:%.c=$(OBJDIR_B)/%.o)

# Set on the objects themselves (not inherited from the .so) so that they
# get the same flags whichever target makes make build them first.
$(SKELETON_OBJS): EXTRA_CFLAGS := $(MODULE_CFLAGS) \
    $(call pc_cflags,$(MSGPACK_PC)) $(call pc_cflags,inih) \
    -DSK_DEFAULT_CONFIG='"$(SYSCONFDIR)/fleetmod/skeleton.conf"'

$(SKELETON_SO): $(SKELETON_OBJS) $(SKELETON_DIR)/skeleton.map
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) $(MODULE_LDFLAGS) \
	    -Wl,--version-script=$(SKELETON_DIR)/skeleton.map -o $@ \
	    $(SKELETON_OBJS) $(call pc_libs,$(MSGPACK_PC)) $(call pc_libs,inih) \
	    -lpthread

ALL_TARGETS += $(SKELETON_SO)
