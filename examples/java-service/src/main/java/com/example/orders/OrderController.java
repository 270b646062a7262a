package com.example.orders;

import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

@RestController
public class OrderController {

    private final OrderRepository orders;
    private final WebClient inventory;
    private final JdbcTemplate jdbc;
    private final AuditClient audit;

    public OrderController(OrderRepository orders, WebClient inventory, JdbcTemplate jdbc, AuditClient audit) {
        this.orders = orders;
        this.inventory = inventory;
        this.jdbc = jdbc;
        this.audit = audit;
    }

    // Waits for the customer lookup on the event loop instead of composing it.
    @GetMapping("/orders/{id}")
    public Mono<OrderView> get(@PathVariable String id) {
        return orders.findById(id).map(order -> {
            Customer customer = orders.customer(order.customerId()).block();
            return new OrderView(order, customer);
        });
    }

    // A JDBC query on the event loop, and an audit write started and forgotten.
    @PostMapping("/orders/{id}/cancel")
    public Mono<Order> cancel(@PathVariable String id) {
        return orders.findById(id).map(order -> {
            jdbc.update("update orders set status = 'CANCELLED' where id = ?", id);
            audit.record("cancelled", id).subscribe();
            return order.cancelled();
        });
    }

    // One inventory call per SKU the client sends, up to 256 at a time.
    @PostMapping("/orders/reserve")
    public Flux<Reservation> reserve(@RequestBody List<String> skus) {
        return Flux.fromIterable(skus)
            .flatMap(sku -> inventory.post().uri("/reserve/{sku}", sku).retrieve().bodyToMono(Reservation.class));
    }

    // Done right: the lookup is composed, the blocking report runs on boundedElastic, the fan-out is bounded.
    @GetMapping("/orders/{id}/summary")
    public Mono<Summary> summary(@PathVariable String id) {
        return orders.findById(id)
            .flatMap(order -> orders.customer(order.customerId()).map(c -> new Summary(order, c)));
    }

    @GetMapping("/orders/report")
    public Mono<List<String>> report() {
        return Mono.fromCallable(() -> jdbc.queryForList("select id from orders", String.class))
            .subscribeOn(Schedulers.boundedElastic());
    }

    @PostMapping("/orders/reserve-bounded")
    public Flux<Reservation> reserveBounded(@RequestBody List<String> skus) {
        return Flux.fromIterable(skus)
            .flatMap(sku -> inventory.post().uri("/reserve/{sku}", sku).retrieve().bodyToMono(Reservation.class), 8);
    }
}
