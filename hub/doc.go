// Package hub is the connection hub: one Session per socket (a reader, a
// writer and a bounded send queue), the registry of rooms (one goroutine per
// room owning its game state, fed by an inbox), spectators, the lobby, the
// wire protocol, the Bus that carries notices between instances, and the
// HTTP API around them. It never writes SQL: money moves through the Wallet
// it is given, and the game rules come from package games.
package hub
