//! A server on its own thread and runtime, as `sfn-local serve` runs it, for programs and tests
//! that drive it from their own runtime (an SDK client must not share a paused clock: its own
//! timeouts would be virtual too).

use std::net::SocketAddr;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::Service;

/// A running server; dropping it stops the server and its executions.
pub struct Background {
    pub service: Service,
    pub address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    /// `http://ADDRESS`, for `endpoint_url` / `AWS_ENDPOINT_URL_SFN`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serve `service` on `address` (`127.0.0.1:0` picks a free port) from a new thread with a
/// current-thread runtime, its clock paused when `virtual_time` (executions run there too).
/// Returns once the port is bound.
pub fn spawn_server(
    service: Service,
    address: &str,
    virtual_time: bool,
) -> std::io::Result<Background> {
    let address = address.to_owned();
    let (ready, started) = std::sync::mpsc::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("sfn-local-serve".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(virtual_time)
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            let service = service.on_runtime(runtime.handle().clone());
            runtime.block_on(async move {
                let bound = tokio::net::TcpListener::bind(&address)
                    .await
                    .and_then(|l| Ok((l.local_addr()?, l)));
                let listener = match bound {
                    Ok((local, listener)) => {
                        let _ = ready.send(Ok((service.clone(), local)));
                        listener
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                tokio::select! {
                    _ = super::serve(service, listener) => {}
                    _ = stopped => {}
                }
            });
            // Do not wait for blocking tasks (a held clock lasts while tokens are outstanding).
            runtime.shutdown_background();
        })?;
    let (service, address) = started
        .recv()
        .map_err(|_| std::io::Error::other("the server thread ended before binding"))??;
    Ok(Background {
        service,
        address,
        stop: Some(stop),
        thread: Some(thread),
    })
}
