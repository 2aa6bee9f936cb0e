// Package fair owns the randomness every game draws from: the Source
// interface, unbiased integer draws (Intn), the provably-fair stream that
// slot rounds are played from (NewStream), the production source seeded from
// the operating system (NewCrypto) and the deterministic source for tests and
// simulation (NewSeeded).
//
// A game never reaches for a global generator: its room passes a Source in,
// so a test or a replay can pass a seeded one and get the same round back.
// Sources are not safe for concurrent use; each room owns its own.
//
// The package imports only the standard library and does no I/O beyond
// reading the operating system's randomness once per NewCrypto (and from
// the reader NewServerSeed is given).
//
// # Provably fair rounds (scheme "hmac-sha256")
//
// A player holds one active seed pair: a server seed, 32 random bytes kept
// secret by the server, and a client seed, a string the player may choose.
// Before the pair serves any round, the player is shown the commitment
//
//	server_seed_hash = hex(SHA-256(server_seed))
//
// the SHA-256 of the 32 raw bytes (not of their hex text), as 64 lower-case
// hex digits. Each round takes the pair's next nonce (0, 1, 2, ... in the
// order the rounds were started) and draws all its randomness from the
// stream of (server_seed, client_seed, nonce):
//
//	block(cursor) = HMAC-SHA256(key = server_seed, message = client_seed + ":" + nonce + ":" + cursor)
//
// where nonce and cursor are written in decimal ASCII without leading zeros
// or sign, and cursor counts 0, 1, 2, ... Each 32-byte block gives four
// values, bytes 0-7, 8-15, 16-23 and 24-31 read as big-endian unsigned
// 64-bit integers; when they are used up, the block of the next cursor
// follows. For example, with server_seed the bytes 0x00 0x01 ... 0x1f,
// client_seed "imperio" and nonce 0, the first block is the HMAC of the
// message "imperio:0:0" and the first value is 7905880881583720176. (A
// client seed may itself contain ":"; the message is still unambiguous,
// since nonce and cursor are digits only.)
//
// A draw in [0, n) is Intn over these values: Lemire's multiply-and-reject.
// Take the next value x and the 128-bit product x*n; the draw is its high
// 64 bits, unless its low 64 bits are below 2^64 mod n, in which case x is
// rejected and the next value taken. The rejection zone has at most n
// values in 2^64, so a draw is almost never repeated, and no outcome is
// favoured.
//
// What each game draws, in order, is the game's to document; a slot round
// draws each reel's stop in reel order, then the stops of every free spin
// it awards (see games/slots).
//
// When the player rotates the pair (or sets a new client seed, which
// rotates it), the server reveals the old server seed and starts a new
// pair, nonce 0, under a new commitment. The player can then check that the
// revealed seed hashes to the commitment shown before play, and replay every
// round played with it: the same seed, client seed and nonce give the same
// draws on every platform, and so the same outcome. Since the commitment
// came first, the server could not choose the seed after seeing the client
// seed, nor change it between rounds; since the seed stays secret until
// revealed, the player cannot foresee a round. A nonce is taken before a
// round is settled, so one that was refused (too few coins) or answered as
// a replay of an earlier key leaves a gap in the nonces of settled rounds.
package fair
