// Command relay is the cheapest extra hop there is: a TCP relay that copies bytes both ways
// between each accepted connection and its own connection to one upstream, with no parsing. The
// bench puts it between the Go load client and one arith-node, so that the gateway's added
// latency can be read against the floor any relaying hop has on this machine. It prints
// {"port":N} once listening.
// Usage: relay -to 127.0.0.1:7071 [-addr 127.0.0.1:0]
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	to := flag.String("to", "", "upstream host:port")
	flag.Parse()
	if *to == "" {
		fmt.Fprintln(os.Stderr, "relay: -to is required")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		os.Exit(1)
	}
	fmt.Printf("{\"port\":%d}\n", ln.Addr().(*net.TCPAddr).Port)
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go relay(c, *to)
	}
}

// relay copies c to a new upstream connection and back until either side closes.
func relay(c net.Conn, to string) {
	defer c.Close()
	u, err := net.Dial("tcp", to)
	if err != nil {
		return
	}
	defer u.Close()
	go func() {
		io.Copy(u, c)
		u.Close()
	}()
	io.Copy(c, u)
}
