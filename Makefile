# renkei — the front door. `make run` serves the demo; `make test` runs every test twice
# (normal build, then AddressSanitizer + UndefinedBehaviorSanitizer).
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
PORT     ?= 8080
LISTEN   ?= 127.0.0.1
DB       ?= var/renkei.db
# The demo assumes the law took effect on this date (the real date is set by cabinet order;
# data/filing_rules.json leaves it null until then).
ENFORCEMENT ?= 2026-07-01
BUILD    := build
ASAN     := build-asan

.PHONY: all build build-asan run test test-normal test-asan bench fuzz lint format clean deps

all: build

deps:
	@scripts/deps.sh build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

$(ASAN)/CMakeCache.txt:
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DRK_SANITIZE=ON >/dev/null

build-asan: deps $(ASAN)/CMakeCache.txt
	cmake --build $(ASAN) -j$(JOBS)

run: build
	@$(BUILD)/renkei --db $(DB) --enforcement-date $(ENFORCEMENT) init --demo
	@echo
	@echo "renkei: open http://$(LISTEN):$(PORT)/healthz  —  API under http://$(LISTEN):$(PORT)/api/v1/"
	@echo "renkei: stop with Ctrl-C (finishes in-flight requests, closes the store cleanly)"
	@exec $(BUILD)/renkeid --db $(DB) --listen $(LISTEN) --port $(PORT) \
		--enforcement-date $(ENFORCEMENT)

test: test-normal test-asan
	@echo "make test: all tests passed in both builds (normal, ASan+UBSan)"

test-normal: build
	@scripts/deps.sh test
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: build-asan
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS)

bench: build
	@scripts/deps.sh bench
	@bash bench/run.sh

fuzz:
	@scripts/deps.sh fuzz
	@bash scripts/fuzz.sh

lint: build
	@bash scripts/lint.sh

format:
	clang-format -i $$(git ls-files "*.c" "*.h")

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz
