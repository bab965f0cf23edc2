// Command load is a closed-loop load client: N goroutines share K net/rpc/jsonrpc connections
// (jsonrpc.NewClient per connection, goroutine i uses connection i%K) and call Arith.Multiply
// back to back for D seconds, checking every reply. It prints one JSON line:
// {"calls":..,"seconds":..,"p50Ms":..,"p99Ms":..,"errors":..,"firstError":"..","cpuPct":..}.
// Usage: load -addr 127.0.0.1:7071 [-n 64] [-k 4] [-d 2s] [-warmup 250ms]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
	"sort"
	"sync"
	"syscall"
	"time"
)

// Args are Arith.Multiply's operands.
type Args struct{ A, B int }

// Summary is the printed result.
type Summary struct {
	Calls      int     `json:"calls"`
	Seconds    float64 `json:"seconds"`
	P50Ms      float64 `json:"p50Ms"`
	P99Ms      float64 `json:"p99Ms"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	// CPUPct is the CPU this client used during the measured run, in % of one core.
	CPUPct float64 `json:"cpuPct"`
}

// cpuSeconds is the user + system CPU time this process has used so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func main() {
	addr := flag.String("addr", "", "server address host:port")
	n := flag.Int("n", 64, "concurrent callers (goroutines)")
	k := flag.Int("k", 1, "connections shared by the callers")
	d := flag.Duration("d", 2*time.Second, "measured duration")
	warmup := flag.Duration("warmup", 250*time.Millisecond, "unmeasured calls before measuring")
	flag.Parse()
	if *addr == "" || *n < 1 || *k < 1 {
		fmt.Fprintln(os.Stderr, "usage: load -addr HOST:PORT [-n callers] [-k connections] [-d duration]")
		os.Exit(2)
	}
	if *k > *n {
		*k = *n
	}
	clients := make([]*rpc.Client, *k)
	for i := range clients {
		conn, err := net.Dial("tcp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "dial:", err)
			os.Exit(1)
		}
		clients[i] = jsonrpc.NewClient(conn)
	}
	// Nothing may hang the bench: give up well after the planned end.
	time.AfterFunc(*warmup+*d+30*time.Second, func() {
		fmt.Fprintln(os.Stderr, "timeout")
		os.Exit(3)
	})

	run := func(dur time.Duration, record bool) Summary {
		var wg sync.WaitGroup
		var mu sync.Mutex
		all := make([]float64, 0, 1<<16)
		errs := 0
		firstErr := ""
		start := time.Now()
		cpu0 := cpuSeconds()
		end := start.Add(dur)
		for g := 0; g < *n; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				c := clients[g%*k]
				lat := make([]float64, 0, 1<<12)
				e, first := 0, ""
				for i := 0; ; i++ {
					t := time.Now()
					if !t.Before(end) {
						break
					}
					var reply int
					err := c.Call("Arith.Multiply", &Args{g, i}, &reply)
					if err == nil && reply != g*i {
						err = fmt.Errorf("wrong reply %d for %d*%d", reply, g, i)
					}
					if err != nil {
						e++
						if first == "" {
							first = err.Error()
						}
					}
					if record {
						lat = append(lat, float64(time.Since(t).Nanoseconds())/1e6)
					}
				}
				mu.Lock()
				all = append(all, lat...)
				errs += e
				if firstErr == "" {
					firstErr = first
				}
				mu.Unlock()
			}(g)
		}
		wg.Wait()
		elapsed := time.Since(start).Seconds()
		cpuPct := (cpuSeconds() - cpu0) / elapsed * 100
		sort.Float64s(all)
		at := func(q float64) float64 {
			if len(all) == 0 {
				return 0
			}
			i := int(q * float64(len(all)))
			if i >= len(all) {
				i = len(all) - 1
			}
			return all[i]
		}
		return Summary{Calls: len(all), Seconds: elapsed, P50Ms: at(0.5), P99Ms: at(0.99), Errors: errs, FirstError: firstErr, CPUPct: cpuPct}
	}

	if *warmup > 0 {
		run(*warmup, false)
	}
	s := run(*d, true)
	out, _ := json.Marshal(s)
	fmt.Println(string(out))
}
