//! The gRPC service `tensorboard.data.TensorBoardDataProvider`, routed by hand (what tonic's
//! code generator would write): each method path decodes its request with prost, calls its
//! function in [`rpc`], and encodes the answer.

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tonic::body::Body;
use tonic::server::{Grpc, NamedService, ServerStreamingService, UnaryService};
use tonic::Status;
use tonic_prost::ProstCodec;

use super::proto::{ReadBlobRequest, ReadBlobResponse};
use super::rpc;
use super::state::Store;

/// The service's full name, the first part of every method's path.
pub const SERVICE: &str = "tensorboard.data.TensorBoardDataProvider";

/// The data provider over a store.
#[derive(Clone, Debug)]
pub struct DataProvider {
    store: Arc<Store>,
}

impl DataProvider {
    /// A provider serving `store`.
    pub fn new(store: Arc<Store>) -> Self {
        DataProvider { store }
    }
}

impl NamedService for DataProvider {
    const NAME: &'static str = SERVICE;
}

type Handler<Q, R> = fn(&Store, Q) -> Result<R, Status>;

/// One unary method: a plain function of the store and the request.
struct Unary<Q, R> {
    store: Arc<Store>,
    handler: Handler<Q, R>,
}

impl<Q, R> UnaryService<Q> for Unary<Q, R> {
    type Response = R;
    type Future = Ready<Result<tonic::Response<R>, Status>>;

    fn call(&mut self, request: tonic::Request<Q>) -> Self::Future {
        ready((self.handler)(&self.store, request.into_inner()).map(tonic::Response::new))
    }
}

async fn unary<Q, R>(
    store: Arc<Store>,
    handler: Handler<Q, R>,
    request: http::Request<Body>,
) -> http::Response<Body>
where
    Q: prost::Message + Default + Send + 'static,
    R: prost::Message + Send + 'static,
{
    let mut grpc = Grpc::new(ProstCodec::<R, Q>::default());
    grpc.unary(Unary { store, handler }, request).await
}

/// `ReadBlob`, the one streaming method: its chunks are computed up front.
struct ReadBlob(Arc<Store>);

impl ServerStreamingService<ReadBlobRequest> for ReadBlob {
    type Response = ReadBlobResponse;
    type ResponseStream = tokio_stream::Iter<std::vec::IntoIter<Result<ReadBlobResponse, Status>>>;
    type Future = Ready<Result<tonic::Response<Self::ResponseStream>, Status>>;

    fn call(&mut self, request: tonic::Request<ReadBlobRequest>) -> Self::Future {
        ready(rpc::read_blob(&self.0, request.into_inner()).map(|chunks| {
            tonic::Response::new(tokio_stream::iter(
                chunks.into_iter().map(Ok).collect::<Vec<_>>(),
            ))
        }))
    }
}

impl tower_service::Service<http::Request<Body>> for DataProvider {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let store = Arc::clone(&self.store);
        let method = request
            .uri()
            .path()
            .strip_prefix('/')
            .and_then(|p| p.strip_prefix(SERVICE))
            .and_then(|m| m.strip_prefix('/'))
            .unwrap_or("")
            .to_string();
        Box::pin(async move {
            let response = match method.as_str() {
                "GetExperiment" => unary(store, rpc::get_experiment, request).await,
                "ListPlugins" => unary(store, rpc::list_plugins, request).await,
                "ListRuns" => unary(store, rpc::list_runs, request).await,
                "ListScalars" => unary(store, rpc::list_scalars, request).await,
                "ReadScalars" => unary(store, rpc::read_scalars, request).await,
                "ListTensors" => unary(store, rpc::list_tensors, request).await,
                "ReadTensors" => unary(store, rpc::read_tensors, request).await,
                "ListBlobSequences" => unary(store, rpc::list_blob_sequences, request).await,
                "ReadBlobSequences" => unary(store, rpc::read_blob_sequences, request).await,
                "ReadBlob" => {
                    let mut grpc =
                        Grpc::new(ProstCodec::<ReadBlobResponse, ReadBlobRequest>::default());
                    grpc.server_streaming(ReadBlob(store), request).await
                }
                other => {
                    Status::unimplemented(format!("{SERVICE} has no method `{other}`")).into_http()
                }
            };
            Ok(response)
        })
    }
}
