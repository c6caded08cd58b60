# Makefile for teams-worker and the C unit tests (GNU make).
#
#   make worker   build/teams-worker
#   make unit     build/unit-tests
#   make check    build and run the unit tests
#   make tools    build/teams-secret (encrypts a profile's client secret)
#   make bench    build/pg-ceiling (bench: the module's statements, no nginx)
#   make clean    remove what this Makefile built
#
# The nginx module (ngx_teams_module/) is built by nginx's own build system
# (see build.sh); the shared core in src/ is compiled here too, so new files
# in src/{core,jwt,teams,psa,notify}/ join both targets automatically.
# EXTRA_CFLAGS / EXTRA_LDFLAGS add flags, e.g. for sanitizers:
#   make check EXTRA_CFLAGS=-fsanitize=address EXTRA_LDFLAGS=-fsanitize=address

CC      = gcc
CFLAGS  = -std=gnu11 -O2 -g -W -Wall -Wpointer-arith -Wno-unused-parameter \
          -Werror -I/usr/include/postgresql -Isrc
LDLIBS  = -lpq -lhiredis -lcurl -lyajl -lssl -lcrypto

BUILD   = build
OBJDIR  = $(BUILD)/obj

CORE_SRCS   := $(sort $(wildcard src/core/*.c src/jwt/*.c src/teams/*.c \
                                 src/psa/*.c src/notify/*.c))
WORKER_MAIN := src/worker/main.c
WORKER_SRCS := $(sort $(wildcard src/worker/*.c))
WORKER_LIB  := $(filter-out $(WORKER_MAIN),$(WORKER_SRCS))
UNIT_SRCS   := $(sort $(wildcard t/unit/*.c))

WORKER_OBJS := $(patsubst %.c,$(OBJDIR)/%.o,$(CORE_SRCS) $(WORKER_SRCS))
UNIT_OBJS   := $(patsubst %.c,$(OBJDIR)/%.o,$(CORE_SRCS) $(WORKER_LIB) \
                                            $(UNIT_SRCS))

.PHONY: all worker unit check tools bench clean FORCE

all: worker unit

worker: $(BUILD)/teams-worker

unit: $(BUILD)/unit-tests

check: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

tools: $(BUILD)/teams-secret

bench: $(BUILD)/pg-ceiling

$(BUILD)/pg-ceiling: bench/pg-ceiling.c ngx_teams_module/ngx_teams_action_sql.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -Ingx_teams_module -o $@ $< -lpq

TOOL_OBJS   := $(patsubst %.c,$(OBJDIR)/%.o,$(CORE_SRCS) src/tools/teams-secret.c)

$(BUILD)/teams-secret: $(TOOL_OBJS)
	@mkdir -p $(@D)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/teams-worker: $(WORKER_OBJS) $(OBJDIR)/worker.list
	@mkdir -p $(@D)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

$(BUILD)/unit-tests: $(UNIT_OBJS) $(OBJDIR)/unit.list
	@mkdir -p $(@D)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

# relink when a source file is added or removed, not only when one changes
$(OBJDIR)/worker.list: FORCE
	@mkdir -p $(@D)
	@echo '$(WORKER_OBJS)' | cmp -s - $@ || echo '$(WORKER_OBJS)' > $@

$(OBJDIR)/unit.list: FORCE
	@mkdir -p $(@D)
	@echo '$(UNIT_OBJS)' | cmp -s - $@ || echo '$(UNIT_OBJS)' > $@

$(OBJDIR)/t/unit/%.o: t/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -It/unit -MMD -MP -c -o $@ $<

$(OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -MMD -MP -c -o $@ $<

clean:
	rm -rf $(OBJDIR) $(BUILD)/teams-worker $(BUILD)/unit-tests \
	       $(BUILD)/teams-secret $(BUILD)/pg-ceiling

-include $(patsubst %.o,%.d,$(WORKER_OBJS) $(UNIT_OBJS) $(TOOL_OBJS))
