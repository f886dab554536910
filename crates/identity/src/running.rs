//! [`Identity`]: the opened system, its service and the workers behind it.

use std::time::Duration;

use identity_config::Settings;
use identity_mail::{Delivery, DeliveryReport};
use identity_service::usecases::jobs::{JobOptions, this_node};
use identity_service::{Service, StoreError};
use identity_store::Backend;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::builder::IdentityBuilder;

/// The opened system: the [`Service`] with every use case, and the background
/// workers (mail and SMS delivery, calendar jobs) until [`Identity::shutdown`].
#[derive(Debug)]
pub struct Identity {
    service: Service,
    backend: Backend,
    delivery: Delivery,
    workers: Option<Workers>,
}

impl Identity {
    /// A builder with the web app's defaults (see [`IdentityBuilder`]).
    pub fn builder() -> IdentityBuilder {
        IdentityBuilder::from_settings(identity_config::Settings::default())
    }

    pub(crate) fn new(
        service: Service,
        backend: Backend,
        delivery: Delivery,
        workers: Option<Workers>,
    ) -> Identity {
        Identity {
            service,
            backend,
            delivery,
            workers,
        }
    }

    /// Every use case. Cheap to clone: clones share the store and the hasher.
    #[must_use]
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The database in use.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Delivers the mail and SMS that are due now, without waiting for the
    /// worker's next pass (or without a worker at all).
    ///
    /// # Errors
    ///
    /// The storage failure that stopped the pass.
    pub async fn deliver_mail(&self) -> Result<DeliveryReport, StoreError> {
        self.delivery.deliver_due().await
    }

    /// Stops the workers, letting a delivery pass or a job run in progress end.
    pub async fn shutdown(mut self) {
        if let Some(workers) = self.workers.take() {
            workers.stop().await;
        }
    }
}

/// The background tasks: the outbox worker, the sign-in pressure report every
/// minute, and the calendar jobs' timer when `jobs_interval_secs` is not 0.
#[derive(Debug)]
pub(crate) struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    pub(crate) fn start(service: &Service, delivery: Delivery, settings: &Settings) -> Workers {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        let interval = Duration::from_secs(settings.mail.delivery_interval_secs.max(1));
        tasks.push(tokio::spawn(delivery.run(interval, until(stopped.clone()))));
        tasks.push(tokio::spawn(report_pressure(
            service.clone(),
            stopped.clone(),
        )));
        if settings.jobs_interval_secs > 0 {
            let every = Duration::from_secs(settings.jobs_interval_secs);
            tasks.push(tokio::spawn(run_jobs(service.clone(), every, stopped)));
        }
        Workers { stop, tasks }
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Resolves once the stop signal is sent (or its sender is gone).
async fn until(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// Runs the calendar jobs at start and then every `every`, until stopped; other
/// nodes may run them too (each job takes its own lease).
async fn run_jobs(service: Service, every: Duration, stopped: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let options = JobOptions {
        as_of: None,
        dry_run: false,
        only: None,
        node: this_node(),
    };
    let stop = until(stopped);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = ticks.tick() => {
                // Each run logs and records its own report.
                let _ = service.run_jobs(&options).await;
            }
        }
    }
}

/// How often the sign-in attempts answered unchecked are reported.
const PRESSURE_PERIOD: Duration = Duration::from_secs(60);

/// Reports the sign-in pressure every [`PRESSURE_PERIOD`], and once more when
/// stopped, so what a node saw before it stops is not lost.
async fn report_pressure(service: Service, stopped: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(PRESSURE_PERIOD);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    let stop = until(stopped);
    tokio::pin!(stop);
    loop {
        let stopping = tokio::select! {
            () = &mut stop => true,
            _ = ticks.tick() => false,
        };
        if let Err(e) = service.report_sign_in_pressure().await {
            tracing::error!(error = %e, "reporting the sign-in pressure failed");
        }
        if stopping {
            return;
        }
    }
}
