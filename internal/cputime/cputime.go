// Package cputime measures what a benchmark costs in CPU time, on the
// database server and in its own process, and reads the machine's load:
// on a shared machine wall-clock figures swing with the load, CPU time far
// less, so benchmarks report both.
package cputime

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
)

// Server is the CPU time (user + system) so far of the database server's
// processes that pg_stat_activity lists (backends and background workers),
// from /proc; 0 where /proc is not readable (a server on another machine).
func Server(ctx context.Context, db *sqlx.DB) time.Duration {
	var pids []int
	if err := db.SelectContext(ctx, &pids, `SELECT pid FROM pg_stat_activity`); err != nil {
		return 0
	}
	var ticks int64
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64) // utime: field 14 of stat
		k, _ := strconv.ParseInt(f[12], 10, 64) // stime: field 15
		ticks += u + k
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// Client is this process's CPU time so far.
func Client() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// LoadAverage is the machine's 1, 5 and 15 minute load averages, "?" where
// /proc/loadavg is not readable.
func LoadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}
