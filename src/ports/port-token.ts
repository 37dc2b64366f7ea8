/**
 * A port's injection token: a symbol that names the adapter type bound to it, so `kernel.register`
 * takes only an adapter of that port and `kernel.resolve` returns it typed. The member exists in types
 * only; it takes the adapter, so a token also reads as one of a narrower adapter
 * (`kernel.resolve<FakeClock>(Ports.Clock)`), never of another port's.
 */
export type PortToken<T> = symbol & { readonly __adapter?: (adapter: T) => void };
