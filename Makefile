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

# Fuzz the wire decoders for a while (FUZZTIME=30s by default).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./hub -run '^$$' -fuzz FuzzDecodeFrame -fuzztime $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
