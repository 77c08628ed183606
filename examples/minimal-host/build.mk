# minimal-host: the smallest correct host, linked against libfleetmod.

MINIMAL_HOST := $(BINDIR_B)/minimal-host
MINIMAL_HOST_OBJ := $(OBJDIR_B)/examples/minimal-host/minimal-host.o

$(MINIMAL_HOST): $(MINIMAL_HOST_OBJ) $(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $(MINIMAL_HOST_OBJ) \
	    $(LIBFLEETMOD_LINK)

ALL_TARGETS += $(MINIMAL_HOST)

.PHONY: check-minimal-host
check-minimal-host: $(MINIMAL_HOST) $(SKELETON_SO)
	$(Q)sh examples/minimal-host/check.sh $(MINIMAL_HOST) $(SKELETON_SO) \
	    $(SKELETON_CONF)

CHECK_TARGETS += check-minimal-host
