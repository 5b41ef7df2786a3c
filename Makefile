# ccscope — see README.md. `make run` opens ccscope; `make test` is the test
# command CI runs.
GO       ?= go
BIN      ?= ccscope
FUZZTIME ?= 30s
# Fuzz targets as package:Target.
FUZZ_TARGETS = ./emu:FuzzParseTrace ./emu:FuzzParseQueue ./capture:FuzzLogScanner ./capture:FuzzAnalyze ./live:FuzzParseExperiment ./live/store:FuzzReadCSV ./themes:FuzzParse ./tui/chart:FuzzRender ./sessions:FuzzRead ./ccp/wire:FuzzDecode ./ccp/lang:FuzzCompile ./ccp/vm:FuzzVM ./live/transport:FuzzDecodeSegment ./capture:FuzzDecodeIP ./capture:FuzzReadPcap

.PHONY: build run test bench fuzz fidelity lint clean

build:
	$(GO) build -o $(BIN) .

run:
	$(GO) run .

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	$(GO) run . fidelity --check README.md > /dev/null

# The fidelity suite: every scheme against its paper or RFC; rewrites the
# generated section of README.md.
fidelity:
	$(GO) run . fidelity --update README.md

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./...

fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "== $$name ($$pkg, $(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

clean:
	rm -f $(BIN)
