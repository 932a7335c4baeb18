/** 'all': directions are the unit vectors of the gradient inputs (targets = Jacobian columns);
 *  'random': k random unit directions in gradient-input space per sample and step;
 *  'given': directions were written into the tangent rows by the host;
 *  'perSample': directions and their targets are stored per dataset row (k × total × d and
 *  k × total × m, uploaded by the host once per epoch), so no Jacobian is ever needed. */
export type DirectionMode = 'all' | 'random' | 'given' | 'perSample';
