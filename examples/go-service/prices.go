package main

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// PriceCache keeps the last price of each SKU; a miss is filled from the upstream service.
type PriceCache struct {
	mu       sync.Mutex
	prices   map[string]string
	upstream string
	client   *http.Client
}

func NewPriceCache(upstream string) *PriceCache {
	return &PriceCache{prices: map[string]string{}, upstream: upstream, client: &http.Client{}}
}

func (c *PriceCache) handlePrice(w http.ResponseWriter, r *http.Request) {
	sku := r.URL.Query().Get("sku")
	c.mu.Lock()
	defer c.mu.Unlock()
	price, ok := c.prices[sku]
	if !ok {
		// The HTTP call runs with the cache locked: every other request waits for it.
		resp, err := c.client.Get(c.upstream + "/" + sku)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		price = string(body)
		c.prices[sku] = price
	}
	_, _ = w.Write([]byte(price))
}

type refreshRequest struct {
	SKUs []string `json:"skus"`
}

// handleRefresh starts one goroutine per SKU of the request: the client decides how many.
func (c *PriceCache) handleRefresh(w http.ResponseWriter, r *http.Request) {
	var req refreshRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var wg sync.WaitGroup
	for _, sku := range req.SKUs {
		wg.Add(1)
		go func(sku string) {
			defer wg.Done()
			resp, err := c.client.Get(c.upstream + "/" + sku)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			c.mu.Lock()
			c.prices[sku] = string(body)
			c.mu.Unlock()
		}(sku)
	}
	wg.Wait()
	w.WriteHeader(http.StatusNoContent)
}
