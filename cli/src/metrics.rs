//! `qayd submit --watch --metrics ADDR`: what monitoring scrapes while the worker runs.
//!
//! * `GET /metrics` — the Prometheus exposition of `qayd::engine::metrics` (the same text the
//!   bindings' `Engine.metrics()` give), built at each scrape;
//! * `GET /health` — JSON; 200 while the store answers and the worker's passes succeed, 503
//!   otherwise (a load balancer or a supervisor's probe).

use crate::Failure;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use qayd::engine::Engine;
use qayd::engine::metrics::{exposition, health};
use std::net::SocketAddr;

/// Binds `addr` now (a taken port is a usage error before the worker starts) and serves until
/// the task is dropped.
pub(crate) async fn serve(
    addr: &str,
    engine: Engine,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), Failure> {
    let addr: SocketAddr = addr.parse().map_err(|_| {
        Failure::input(format!("--metrics {addr}: give an address and port, e.g. 127.0.0.1:9464"))
    })?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| Failure {
        code: 2,
        message: format!("--metrics: cannot listen on {addr}: {e}"),
        error_code: "IO",
    })?;
    let bound = listener.local_addr().map_err(|e| Failure::input(format!("--metrics: {e}")))?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let engine = engine.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let engine = engine.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(&engine, &request)) }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
            });
        }
    });
    Ok((bound, task))
}

fn answer<B>(engine: &Engine, request: &Request<B>) -> Response<Full<Bytes>> {
    let (status, content_type, body) = match (request.method().as_str(), request.uri().path()) {
        ("GET", "/metrics") => (
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            exposition(engine, time::OffsetDateTime::now_utc().unix_timestamp()),
        ),
        ("GET", "/health") => {
            let (healthy, body) = health(engine);
            let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
            (status, "application/json", body)
        }
        _ => (StatusCode::NOT_FOUND, "text/plain", "GET /metrics or /health\n".to_owned()),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}
