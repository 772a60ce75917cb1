import { describeProductionShape } from './production-shape';

describeProductionShape('mtls');
