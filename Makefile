# Shortcuts for the scripts in scripts/ (they do the work; see each one's header).
#   make help                       this list
#   make fuzz [FUZZ_SECONDS=300]    build the libFuzzer targets, replay fuzz/regressions, fuzz
#                                   each target for FUZZ_SECONDS (scripts/fuzz.sh)
#   make fuzz FUZZ_TARGETS="fuzz_csrf fuzz_cookies"   only those targets
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?=

.PHONY: help fuzz

help:
	@sed -n '2,5p' Makefile | sed 's/^# \{0,1\}//'

fuzz:
	scripts/fuzz.sh --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)
