use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Mutex as AsyncMutex};

/// A login session kept in memory.
pub struct Session {
    pub user: String,
    pub since: Instant,
}

/// Something the background task records.
#[derive(Debug)]
pub enum Event {
    LoggedIn(String),
    LoggedOut(String),
}

/// Shared by every handler through `State<Arc<AppState>>`.
pub struct AppState {
    /// In-memory sessions behind a std (blocking) mutex: fine for short, synchronous updates.
    pub sessions: Mutex<HashMap<String, Session>>,
    /// The audit log's connection: the async mutex exists to serialise writes to it.
    pub audit: AsyncMutex<TcpStream>,
    pub events: mpsc::UnboundedSender<Event>,
    pub http: reqwest::Client,
}
