export const id = 716;
export const ids = [716];
export const modules = {

/***/ 716:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TunnelAgent: () => (/* binding */ TunnelAgent)
/* harmony export */ });
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(67);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_http__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(708);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_https__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(30);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_tls__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(311);
/* harmony import */ var node_tls__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_tls__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _transport_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(517);
/**
 * https through a proxy: an agent whose connections are CONNECT tunnels, with TLS to the target
 * inside. transport.ts loads this module for the first https request that goes through a proxy.
 */





/**
 * An https agent whose connections are CONNECT tunnels through an http(s) proxy, with TLS to the
 * target inside. The agent pools the tunnels like any other keep-alive connection.
 */
class TunnelAgent extends node_https__WEBPACK_IMPORTED_MODULE_1__.Agent {
    proxy;
    constructor(proxy, options) {
        super(options);
        this.proxy = proxy;
    }
    createConnection(options, callback) {
        const trace = options.trace;
        const host = (0,_transport_js__WEBPACK_IMPORTED_MODULE_4__/* .bareHost */ .n0)(String(options.host ?? options.hostname ?? 'localhost'));
        const port = Number(options.port ?? 443);
        const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
        const proxy = this.proxy.url;
        let done = false;
        let tunnel;
        let secure;
        const finish = (error, socket) => {
            if (done)
                return;
            done = true;
            trace?.signal.removeEventListener('abort', onAbort);
            if (error) {
                connect.destroy();
                tunnel?.destroy();
                secure?.destroy();
            }
            // Node's agent takes (error) alone on failure; the stream argument is unused then.
            callback?.(error, socket);
        };
        const onAbort = () => finish((0,_transport_js__WEBPACK_IMPORTED_MODULE_4__/* .abortError */ .vt)());
        if (trace)
            trace.phase = 'proxy';
        const connect = (proxy.protocol === 'https:' ? node_https__WEBPACK_IMPORTED_MODULE_1__ : node_http__WEBPACK_IMPORTED_MODULE_0__).request({
            host: (0,_transport_js__WEBPACK_IMPORTED_MODULE_4__/* .bareHost */ .n0)(proxy.hostname),
            port: (0,_transport_js__WEBPACK_IMPORTED_MODULE_4__/* .defaultPort */ .L5)(proxy),
            method: 'CONNECT',
            path: target,
            agent: false,
            setHost: false,
        });
        connect.setHeader('host', target);
        if (this.proxy.authorization)
            connect.setHeader('proxy-authorization', this.proxy.authorization);
        // Listeners stay for the socket's life: a late error is then ignored, never unhandled.
        connect.on('error', (error) => finish(error));
        connect.once('connect', (reply, socket, head) => {
            tunnel = socket;
            const status = reply.statusCode ?? 0;
            if (status < 200 || status > 299) {
                finish(new _transport_js__WEBPACK_IMPORTED_MODULE_4__/* .TransportError */ .wX('EPROXY', `the proxy answered CONNECT with ${(0,_transport_js__WEBPACK_IMPORTED_MODULE_4__/* .statusText */ .qS)(status)}`, false, 'proxy', {
                    kind: 'proxy-refused',
                    proxy: proxy.origin,
                    target,
                    status,
                    statusText: (0,_transport_js__WEBPACK_IMPORTED_MODULE_4__/* .statusText */ .qS)(status),
                }));
                return;
            }
            if (head.length > 0)
                socket.unshift(head);
            if (trace)
                trace.phase = 'tls';
            secure = node_tls__WEBPACK_IMPORTED_MODULE_3__.connect({
                socket,
                servername: (0,node_net__WEBPACK_IMPORTED_MODULE_2__.isIP)(host) ? undefined : host,
                rejectUnauthorized: options.rejectUnauthorized !== false,
            });
            secure.on('error', (error) => finish(error));
            secure.once('secureConnect', () => finish(null, secure));
        });
        if (trace?.signal.aborted) {
            finish((0,_transport_js__WEBPACK_IMPORTED_MODULE_4__/* .abortError */ .vt)());
            return undefined;
        }
        trace?.signal.addEventListener('abort', onAbort, { once: true });
        connect.end();
        return undefined;
    }
}


/***/ })

};
