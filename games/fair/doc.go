// Package fair owns the randomness every game draws from: the Source
// interface, unbiased integer draws (Intn), the production source seeded from
// the operating system (NewCrypto) and the deterministic source for tests and
// simulation (NewSeeded).
//
// A game never reaches for a global generator: its room passes a Source in,
// so a test or a replay can pass a seeded one and get the same round back.
// Sources are not safe for concurrent use; each room owns its own.
//
// The package imports only the standard library and does no I/O beyond
// reading the operating system's randomness once per NewCrypto.
package fair
