package main

import (
	"fmt"
	"net/http"
	"time"
)

func queryWarehouse(sku string) (int, error) {
	resp, err := http.Get("https://warehouse.example.com/stock/" + sku)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var n int
	_, err = fmt.Fscan(resp.Body, &n)
	return n, err
}

// handleStock waits two seconds for the warehouse, then gives up; the goroutine it started is left
// blocked on its send, since nobody receives any more.
func handleStock(w http.ResponseWriter, r *http.Request) {
	result := make(chan int)
	go func() {
		n, _ := queryWarehouse(r.URL.Query().Get("sku"))
		result <- n
	}()
	select {
	case n := <-result:
		fmt.Fprintf(w, "%d\n", n)
	case <-time.After(2 * time.Second):
		http.Error(w, "warehouse timed out", http.StatusGatewayTimeout)
	}
}

// handleStockBuffered is the same lookup done right: the channel has room for the one result.
func handleStockBuffered(w http.ResponseWriter, r *http.Request) {
	result := make(chan int, 1)
	go func() {
		n, _ := queryWarehouse(r.URL.Query().Get("sku"))
		result <- n
	}()
	select {
	case n := <-result:
		fmt.Fprintf(w, "%d\n", n)
	case <-time.After(2 * time.Second):
		http.Error(w, "warehouse timed out", http.StatusGatewayTimeout)
	}
}
