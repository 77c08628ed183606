# tests/stress: many threads through one module instance, under
# ThreadSanitizer.
#
#   make check-tsan [STRESS_THREADS=8] [STRESS_CALLS=2000]
#
# builds mobway.so, libfleetmod and the stress program with
# -fsanitize=thread in their own tree ($(TSAN_B), by a second make with
# SANITIZE=thread), then runs STRESS_THREADS threads x STRESS_CALLS calls
# through ONE instance against this build's mobway-sim (tests/stress/run.sh).
# Not part of make check: it has its own CI step.

STRESS_DIR  := tests/stress
# Directly under $(B), so that its run path ($ORIGIN/../lib) finds
# $(B)/lib/libfleetmod.so.1.
STRESS      := $(B)/stress/stress
STRESS_OBJ  := $(OBJDIR_B)/$(STRESS_DIR)/stress.o
STRESS_THREADS ?= 8
STRESS_CALLS   ?= 2000
TSAN_B      := build-thread

$(STRESS): $(STRESS_OBJ) $(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $(STRESS_OBJ) \
		$(LIBFLEETMOD_LINK) -pthread

.PHONY: check-tsan
check-tsan: $(SIM_BIN)
	$(Q)$(MAKE) --no-print-directory SANITIZE=thread B=$(TSAN_B) \
		$(TSAN_B)/stress/stress $(TSAN_B)/modules/mobway.so
	$(Q)sh $(STRESS_DIR)/run.sh $(TSAN_B)/stress/stress $(TSAN_B)/modules/mobway.so \
		$(SIM_BIN) $(STRESS_THREADS) $(STRESS_CALLS)
