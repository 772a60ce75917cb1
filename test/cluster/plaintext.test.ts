import { describeProductionShape } from './production-shape';

describeProductionShape('plaintext');
