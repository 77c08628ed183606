# tests/fuzz: libFuzzer targets (clang, ASan + UBSan) for every parser of
# untrusted bytes: the one msgpack size check every reader shares
# (fleetmod/msgcheck.h), the module's request decoder, its reading of
# Mobway's answers, its ini file and its UTC-3 times, and libfleetmod's
# reply decoder and JSON rendering.
#
#   make fuzz [FUZZ_SECONDS=60]   each target for FUZZ_SECONDS
#   make check-fuzz               each target for 10 s (part of make check)
#   make $(B)/fuzz/fuzz_request   one target; run it by hand on a file to
#                                 replay a crash: build/fuzz/fuzz_request FILE
#
# The sources under test are compiled again by $(FUZZ_CC) with coverage
# and sanitizers into $(B)/fuzz/obj/ (a normal build's objects have
# neither). Seeds are in tests/fuzz/corpus/<target>/ and are never written
# to: what a run finds goes to $(B)/fuzz/corpus/<target>/, kept between
# `make fuzz` runs, and crashes to $(B)/fuzz/<target>-crash-*. A crash
# becomes a regression input by copying it into the seed directory, which
# every run replays first.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SEED ?= 1
FUZZ_DIR     := tests/fuzz
FUZZ_B       := $(B)/fuzz
FUZZ_TARGETS := msgcheck request answer config time reply
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)
FUZZ_HAVE_CC := $(shell command -v $(FUZZ_CC) 2>/dev/null)

# Longest input per target: a request with a small batch, an answer body, an
# ini file, a time (19 characters and some room), a reply with results.
FUZZ_MAXLEN_request := 4096
FUZZ_MAXLEN_answer  := 4096
FUZZ_MAXLEN_config  := 2048
FUZZ_MAXLEN_time    := 32
FUZZ_MAXLEN_reply   := 4096
FUZZ_MAXLEN_msgcheck := 4096

# Own flags, not BASE_CFLAGS: a fuzz build always has its sanitizers,
# whatever SANITIZE says, and the user's CFLAGS are for $(CC).
# -Wno-string-concatenation: clang's guess that two adjacent literals in an
# array of messages lack a comma misfires on long messages split over
# lines on purpose (errmap.c); gcc has no such warning.
FUZZ_SAN    := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror \
	-Wno-string-concatenation $(FUZZ_SAN) $(BASE_CPPFLAGS) \
	-iquote plugin/mobway

# The module's and libfleetmod's sources, with the flags their own
# fragments give them.
FUZZ_MW_OBJS := $(MOBWAY_SRCS:%.c=$(FUZZ_B)/obj/%.o)
FUZZ_FM_OBJS := $(LIBFLEETMOD_SRCS:%.c=$(FUZZ_B)/obj/%.o)
FUZZ_MW_A    := $(FUZZ_B)/libmobway.a
FUZZ_FM_A    := $(FUZZ_B)/libfleetmod.a
$(FUZZ_MW_OBJS): FUZZ_EXTRA := $(MOBWAY_CFLAGS) \
	-DSYSCONFDIR='"$(SYSCONFDIR)"' -DMOBWAY_VERSION='"$(VERSION)"'
$(FUZZ_FM_OBJS): FUZZ_EXTRA := $(call pc_cflags,$(LIBFLEETMOD_PC_DEPS)) \
	-DFLEETMOD_MODULEDIR='"$(MODULEDIR)"' \
	-DFLEETMOD_SYSCONFDIR='"$(SYSCONFDIR)"'
$(FUZZ_B)/obj/$(FUZZ_DIR)/%.o: FUZZ_EXTRA := $(MOBWAY_CFLAGS)

$(FUZZ_B)/obj/%.o: %.c $(PATHS_STAMP)
	$(call say,FUZZCC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_EXTRA) -MMD -MP -c -o $@ $<

-include $(shell find $(FUZZ_B)/obj -name '*.d' 2>/dev/null)

# Archives, so that each target links only the objects it reaches.
$(FUZZ_MW_A): $(FUZZ_MW_OBJS)
$(FUZZ_FM_A): $(FUZZ_FM_OBJS)
$(FUZZ_MW_A) $(FUZZ_FM_A):
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

# fuzz_answer stands in for the network: the token fetch's call of
# mw_http_exchange is wrapped to answer from the input.
FUZZ_MW_BINS := $(filter-out $(FUZZ_B)/fuzz_reply $(FUZZ_B)/fuzz_msgcheck,\
	$(FUZZ_BINS))
$(FUZZ_MW_BINS): $(FUZZ_MW_A)
$(FUZZ_MW_BINS): FUZZ_LIBS := $(MOBWAY_LIBS)
$(FUZZ_B)/fuzz_answer: FUZZ_LDFLAGS := -Wl,--wrap=mw_http_exchange
$(FUZZ_B)/fuzz_reply: $(FUZZ_FM_A)
$(FUZZ_B)/fuzz_reply: FUZZ_LIBS := $(call pc_libs,$(LIBFLEETMOD_PC_DEPS)) -ldl
# fuzz_msgcheck: the header alone, as a module uses it.
$(FUZZ_B)/fuzz_msgcheck: FUZZ_LIBS := $(call pc_libs,$(MSGPACK_PC))

$(FUZZ_BINS): $(FUZZ_B)/fuzz_%: $(FUZZ_B)/obj/$(FUZZ_DIR)/fuzz_%.o
	$(call say,LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) $(FUZZ_LDFLAGS) -o $@ $^ $(FUZZ_LIBS)

# One run of target $(1) for $(2) seconds: the kept corpus first (new
# inputs go there), then the seeds, then fuzzing with the target's
# dictionary if it has one; no output unless it fails. stdin is /dev/null
# so that a config naming /dev/stdin as a secret file cannot block.
# $(3): more flags; make check passes a fixed -seed, so that CI tries the
# same inputs in the same order on every run (make fuzz explores anew).
fuzz_run = mkdir -p $(FUZZ_B)/corpus/$(1) && \
	log=$(FUZZ_B)/fuzz_$(1).log; \
	if $(FUZZ_B)/fuzz_$(1) -max_total_time=$(2) -timeout=10 \
		-max_len=$(FUZZ_MAXLEN_$(1)) -rss_limit_mb=1024 \
		-artifact_prefix=$(FUZZ_B)/$(1)- -print_final_stats=1 $(3) \
		$(addprefix -dict=,$(wildcard $(FUZZ_DIR)/$(1).dict)) \
		$(FUZZ_B)/corpus/$(1) $(FUZZ_DIR)/corpus/$(1) </dev/null >$$log 2>&1; then \
		printf '  FUZZ   %-8s %s\n' $(1) "$$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' $$log | grep -o '[0-9]*$$') runs, no crash"; \
	else \
		grep -v '^\#[0-9]' $$log | tail -n 80; \
		echo "fuzz_$(1): failed (whole log: $$log); the input is the 'Test unit written to' above"; \
		exit 1; \
	fi

.PHONY: fuzz check-fuzz $(FUZZ_TARGETS:%=check-fuzz-%) $(FUZZ_TARGETS:%=fuzz-%)
ifeq ($(FUZZ_HAVE_CC),)
fuzz check-fuzz:
	@echo "$@: skipped: $(FUZZ_CC) not found (FUZZ_CC=...; packaging/deps.sh installs clang)"
else
ifneq ($(SANITIZE),)
# The targets always carry ASan+UBSan: the plain make check ran them.
check-fuzz:
	@echo "check-fuzz: skipped under SANITIZE: the fuzz targets are sanitizer builds already, and make check ran them"
else
check-fuzz: $(FUZZ_TARGETS:%=check-fuzz-%)
endif
$(FUZZ_TARGETS:%=check-fuzz-%): check-fuzz-%: $(FUZZ_B)/fuzz_%
	$(Q)$(call fuzz_run,$*,10,-seed=$(FUZZ_CHECK_SEED))

fuzz: $(FUZZ_TARGETS:%=fuzz-%)
$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: $(FUZZ_B)/fuzz_%
	$(Q)$(call fuzz_run,$*,$(FUZZ_SECONDS))
endif

CHECK_TARGETS += check-fuzz
