export {
  MalformedRequestError,
  MalformedResponseError,
  MethodNotAllowedError,
  OriginNotAllowedError,
  RemoteRetrievalError,
  RemoteUnavailableError,
  RequestLimitError,
  RequestTooLargeError,
  RouteNotFoundError,
} from './errors.js';
export {
  HEALTH_PATH,
  RETRIEVE_PATH,
  encodeRetrieveRequest,
  encodeRetrieveResponse,
  errorResponse,
  parseHealthResponse,
  parseRetrieveRequest,
  parseRetrieveResponse,
  rebuildError,
  type ErrorResponse,
  type HealthResponse,
  type RetrieveLimits,
  type RetrieveRequest,
  type RetrieveResponse,
} from './protocol.js';
export { DEFAULT_TIMEOUT_MS, RemoteRetriever, type RemoteRetrieverOptions } from './remote-retriever.js';
