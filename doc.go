// Package imperio holds the few types every layer of the server shares: the
// application error with its protocol codes, identifiers, and the plain
// structs that cross from the store to the hub (users, ledger entries,
// rounds, settlements). It imports only the standard library, so that
// store, auth and hub can all speak these types without knowing each other.
package imperio
