// A server component: importing the SDK here must be harmless (nothing runs at import).
import { DEFAULT_TEMPLATE } from 'siglip-web';
import Classifier from './classifier';

export default function Page() {
  return <main><p>template: {DEFAULT_TEMPLATE}</p><Classifier /></main>;
}
