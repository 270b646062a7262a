// A small HTTP service: a price cache, a batch refresh endpoint and a lookup with a deadline.
package main

import (
	"log"
	"net/http"
)

func main() {
	prices := NewPriceCache("https://prices.example.com")
	mux := http.NewServeMux()
	mux.HandleFunc("/price", prices.handlePrice)
	mux.HandleFunc("/refresh", prices.handleRefresh)
	mux.HandleFunc("/stock", handleStock)
	log.Fatal(http.ListenAndServe(":8080", mux))
}
