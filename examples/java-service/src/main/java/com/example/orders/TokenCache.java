package com.example.orders;

import java.time.Duration;
import java.time.Instant;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

@Component
public class TokenCache {

    private final WebClient auth;
    // Events for the admin stream: the unicast sink queues without a bound until someone subscribes.
    private final Sinks.Many<String> refreshed = Sinks.many().unicast().onBackpressureBuffer();
    private Token token;

    public TokenCache(WebClient auth) {
        this.auth = auth;
    }

    // The token is fetched while the lock is held, on the event loop: every request waits.
    public Mono<Token> current() {
        synchronized (this) {
            if (token == null || token.expiresAt().isBefore(Instant.now())) {
                token = auth.post().uri("/token").retrieve().bodyToMono(Token.class).block();
                refreshed.tryEmitNext(token.id());
            }
            return Mono.just(token);
        }
    }

    // Retries at once, forever, while the auth server is down.
    public Mono<Token> fetchWithRetry() {
        return auth.post().uri("/token").retrieve().bodyToMono(Token.class).retry();
    }

    // Done right: capped exponential backoff.
    public Mono<Token> fetchWithBackoff() {
        return auth.post().uri("/token").retrieve().bodyToMono(Token.class)
            .retryWhen(reactor.util.retry.Retry.backoff(3, Duration.ofMillis(200)));
    }
}
