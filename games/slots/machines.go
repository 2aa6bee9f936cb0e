package slots

// machines are the machines on the floor, in the order Machines lists them.
// Each declared RTP is what ExactRTP computes from the data above it; change
// a strip or a pay and the tests say what the new figure is.
var machines = []*Machine{cherryCharm, pharaohsGold, neonNights}

// Paylines of the 5x3 machines: the first 10 are neon-nights' lines, all 20
// are pharaohs-gold's. Row 0 is the top row.
var lines5x3 = [][]int{
	{1, 1, 1, 1, 1}, {0, 0, 0, 0, 0}, {2, 2, 2, 2, 2}, {0, 1, 2, 1, 0}, {2, 1, 0, 1, 2},
	{1, 0, 0, 0, 1}, {1, 2, 2, 2, 1}, {0, 0, 1, 2, 2}, {2, 2, 1, 0, 0}, {1, 2, 1, 0, 1},
	{1, 0, 1, 2, 1}, {0, 1, 1, 1, 0}, {2, 1, 1, 1, 2}, {0, 1, 0, 1, 0}, {2, 1, 2, 1, 2},
	{1, 1, 0, 1, 1}, {1, 1, 2, 1, 1}, {0, 0, 2, 0, 0}, {2, 2, 0, 2, 2}, {0, 2, 2, 2, 0},
}

// cherryCharm is the classic: three reels of 22 stops, five lines (the three
// rows and the two diagonals), fruit, bells, bars and one seven a reel. A
// cherry on the first reel pays on its own, and more for two or three.
var cherryCharm = mustCompile(&Machine{
	ID:   "cherry-charm",
	Name: "Cherry Charm",
	Reels: [][]string{
		{"plum", "orange", "lemon", "cherry", "bell", "bar", "seven", "plum", "orange", "lemon", "cherry",
			"bell", "plum", "orange", "lemon", "cherry", "bar", "bell", "plum", "orange", "lemon", "cherry"},
		{"plum", "orange", "seven", "bell", "lemon", "cherry", "plum", "orange", "lemon", "bar", "bell",
			"cherry", "plum", "orange", "lemon", "lemon", "plum", "orange", "bell", "cherry", "bar", "lemon"},
		{"orange", "lemon", "bar", "bell", "cherry", "plum", "orange", "lemon", "lemon", "plum", "orange",
			"bell", "cherry", "bar", "lemon", "plum", "orange", "seven", "bell", "lemon", "cherry", "plum"},
	},
	Rows:  3,
	Lines: [][]int{{1, 1, 1}, {0, 0, 0}, {2, 2, 2}, {0, 1, 2}, {2, 1, 0}},
	Pays: map[string][]int64{
		"seven":  {0, 0, 1000},
		"bar":    {0, 0, 100},
		"bell":   {0, 0, 50},
		"plum":   {0, 0, 20},
		"orange": {0, 0, 15},
		"lemon":  {0, 0, 10},
		"cherry": {1, 5, 25},
	},
	MinBet: 5,
	MaxBet: 500,
	RTP:    0.9487227648384673, // 50510 / 53240
})

// pharaohsGold is the video slot: five reels of 24 stops, 20 lines. The
// pharaoh is wild and pays on its own; the pyramid is the scatter. Three or
// more pyramids anywhere pay a multiple of the bet and start 10 free spins
// at twice the wins, which retrigger on three or more pyramids again, up to
// 100 free spins in a round.
var pharaohsGold = mustCompile(&Machine{
	ID:   "pharaohs-gold",
	Name: "Pharaoh's Gold",
	Reels: [][]string{
		{"A", "K", "Q", "J", "mask", "ankh", "eye", "scarab", "10", "pyramid", "pharaoh", "A",
			"K", "Q", "J", "mask", "ankh", "eye", "scarab", "10", "A", "K", "Q", "J"},
		{"ankh", "eye", "scarab", "J", "pyramid", "pharaoh", "A", "K", "Q", "10", "mask", "ankh",
			"eye", "scarab", "J", "A", "K", "Q", "10", "A", "K", "Q", "10", "mask"},
		{"pharaoh", "A", "K", "Q", "10", "mask", "ankh", "eye", "scarab", "J", "A", "K",
			"Q", "10", "A", "K", "Q", "10", "mask", "ankh", "eye", "scarab", "J", "pyramid"},
		{"mask", "ankh", "eye", "scarab", "J", "A", "K", "Q", "10", "A", "K", "Q",
			"10", "mask", "ankh", "eye", "scarab", "J", "pyramid", "pharaoh", "A", "K", "Q", "10"},
		{"A", "K", "Q", "J", "A", "K", "Q", "J", "mask", "ankh", "eye", "scarab",
			"10", "pyramid", "pharaoh", "A", "K", "Q", "J", "mask", "ankh", "eye", "scarab", "10"},
	},
	Rows:  3,
	Lines: lines5x3,
	Pays: map[string][]int64{
		"pharaoh": {0, 10, 100, 1000, 5000},
		"mask":    {0, 5, 40, 150, 750},
		"ankh":    {0, 0, 30, 100, 400},
		"eye":     {0, 0, 25, 100, 300},
		"scarab":  {0, 0, 20, 75, 200},
		"A":       {0, 0, 10, 40, 150},
		"K":       {0, 0, 10, 30, 125},
		"Q":       {0, 0, 5, 25, 100},
		"J":       {0, 0, 5, 20, 100},
		"10":      {0, 0, 5, 15, 75},
	},
	Wild:               "pharaoh",
	Scatter:            "pyramid",
	ScatterPays:        map[int]int64{3: 2, 4: 10, 5: 50},
	FreeSpinTrigger:    3,
	FreeSpins:          10,
	FreeSpinMultiplier: 2,
	MaxFreeSpins:       100,
	MinBet:             20,
	MaxBet:             2000,
	RTP:                0.9595041821141439,
})

// neonNights is the fast one: five reels of 22 stops, 10 lines, no
// scatter. The neon wild lands only on the middle three reels, and when it
// shows it lights up its whole reel, standing in on every line.
var neonNights = mustCompile(&Machine{
	ID:   "neon-nights",
	Name: "Neon Nights",
	Reels: [][]string{
		{"grape", "cherry", "bell", "star", "melon", "seven", "bar", "grape", "cherry", "diamond", "bell",
			"star", "melon", "grape", "cherry", "seven", "bar", "bell", "star", "melon", "grape", "cherry"},
		{"seven", "bar", "bell", "grape", "cherry", "neon", "diamond", "star", "melon", "grape", "cherry",
			"seven", "bar", "bell", "star", "melon", "grape", "cherry", "grape", "cherry", "star", "melon"},
		{"cherry", "neon", "diamond", "star", "melon", "grape", "cherry", "seven", "bar", "bell", "star",
			"melon", "grape", "cherry", "grape", "cherry", "star", "melon", "seven", "bar", "bell", "grape"},
		{"melon", "grape", "cherry", "seven", "bar", "bell", "star", "melon", "grape", "cherry", "grape",
			"cherry", "star", "melon", "seven", "bar", "bell", "grape", "cherry", "neon", "diamond", "star"},
		{"bar", "bell", "star", "melon", "grape", "cherry", "grape", "cherry", "bell", "star", "melon",
			"seven", "bar", "grape", "cherry", "diamond", "bell", "star", "melon", "grape", "cherry", "seven"},
	},
	Rows:  3,
	Lines: lines5x3[:10:10],
	Pays: map[string][]int64{
		"diamond": {0, 0, 50, 250, 1000},
		"seven":   {0, 0, 25, 80, 400},
		"bar":     {0, 0, 15, 60, 200},
		"bell":    {0, 0, 10, 40, 125},
		"star":    {0, 0, 6, 25, 80},
		"melon":   {0, 0, 4, 15, 60},
		"grape":   {0, 0, 3, 10, 40},
		"cherry":  {0, 0, 2, 6, 30},
	},
	Wild:          "neon",
	ExpandingWild: true,
	MinBet:        10,
	MaxBet:        1000,
	RTP:           0.9511011263512801, // 49016252 / 51536320
})
