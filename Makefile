# The whole test suite is `make test`: vet, then every test with the race
# detector. PostgreSQL and Redis tests skip loudly when the servers are not
# there, unless IMPERIO_TEST_REQUIRE_SERVICES=1 (as in CI) makes them fail.
GO ?= go

.PHONY: test vet build run fuzz bench tidy

test: vet
	$(GO) test -race -count=1 -timeout 20m ./...

vet:
	$(GO) vet ./...

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o bin/imperio ./cmd/imperio

run:
	$(GO) run ./cmd/imperio

# Fuzz every parser of untrusted input for a while each (FUZZTIME=30s by
# default; CI runs 10s each): the wire decoders and table bets in hub, the
# token parser in auth. Seed corpora are in each package's testdata/fuzz.
FUZZTIME ?= 30s
FUZZ_TARGETS = hub:FuzzDecodeFrame hub:FuzzDecodeData hub:FuzzTableBet auth:FuzzVerifyToken
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t#*:}; \
		echo "fuzz ./$$pkg $$fn for $(FUZZTIME)"; \
		$(GO) test ./$$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME); \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
