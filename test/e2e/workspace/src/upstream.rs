// A client for a pricing service: one TCP connection shared by every task, and the last price
// list it fetched.
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

pub struct Upstream {
    conn: Mutex<TcpStream>,
    prices: Option<Arc<Mutex<Vec<u8>>>>,
}

impl Upstream {
    // Frames must not interleave on the socket: the lock is held across the write on purpose.
    pub async fn send_frame(&self, frame: &[u8]) -> std::io::Result<()> {
        let mut conn = self.conn.lock().await;
        conn.write_all(frame).await
    }

    pub async fn reload_prices(&self, path: &str) -> Option<usize> {
        let mut prices = self.prices.as_ref()?.lock().await;
        let body = tokio::fs::read(path).await.ok()?;
        *prices = body;
        Some(prices.len())
    }
}
