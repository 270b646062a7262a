mod state;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use state::{AppState, Event, Session};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Mutex as AsyncMutex};

type Shared = State<Arc<AppState>>;

/// Checks the token with the auth service, then records the session.
async fn login(State(state): Shared, Path(token): Path<String>) -> StatusCode {
    let mut sessions = state.sessions.lock().unwrap();
    // The std mutex stays locked while this request is in flight.
    let reply = state.http.get("http://auth.internal/me").bearer_auth(&token).send().await;
    match reply {
        Ok(r) if r.status().is_success() => {
            sessions.insert(token.clone(), Session { user: token.clone(), since: Instant::now() });
            let _ = state.events.send(Event::LoggedIn(token));
            StatusCode::OK
        }
        _ => StatusCode::UNAUTHORIZED,
    }
}

/// Done right: the guard is released before the task yields.
async fn logout(State(state): Shared, Path(token): Path<String>) -> StatusCode {
    let mut sessions = state.sessions.lock().unwrap();
    let removed = sessions.remove(&token).is_some();
    drop(sessions);
    audit_line(&state, &format!("logout {token}\n")).await;
    let _ = state.events.send(Event::LoggedOut(token));
    if removed { StatusCode::OK } else { StatusCode::NOT_FOUND }
}

/// Done right: the async mutex guards the audit connection itself.
async fn audit_line(state: &AppState, line: &str) {
    let mut conn = state.audit.lock().await;
    let _ = conn.write_all(line.as_bytes()).await;
}

fn read_banner() -> String {
    std::fs::read_to_string("banner.txt").unwrap_or_default()
}

/// Reads a report from disk on the executor thread.
async fn report(Path(name): Path<String>) -> Result<String, StatusCode> {
    let banner = read_banner();
    let body = std::fs::read_to_string(format!("reports/{name}.txt")).map_err(|_| StatusCode::NOT_FOUND)?;
    Ok(format!("{banner}{body}"))
}

/// Done right: the file is written on the blocking pool.
async fn export(State(state): Shared) -> StatusCode {
    let users: Vec<String> = state.sessions.lock().unwrap().values().map(|s| s.user.clone()).collect();
    let written = tokio::task::spawn_blocking(move || std::fs::write("export.txt", users.join("\n"))).await;
    match written {
        Ok(Ok(())) => StatusCode::CREATED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let audit = TcpStream::connect("audit.internal:5140").await?;
    let (events, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            println!("{event:?}");
        }
    });
    let state = Arc::new(AppState {
        sessions: Mutex::new(HashMap::new()),
        audit: AsyncMutex::new(audit),
        events,
        http: reqwest::Client::new(),
    });
    let app = Router::new()
        .route("/login/:token", post(login))
        .route("/logout/:token", post(logout))
        .route("/reports/:name", get(report))
        .route("/export", post(export))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
    axum::serve(listener, app).await
}
