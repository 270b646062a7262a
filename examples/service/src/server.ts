import express from 'express';
import { healthRoutes } from './routes/health';
import { userRoutes } from './routes/users';
import { startPriceRefresh } from './prices';

const app = express();
app.use(express.json());
app.use('/health', healthRoutes);
app.use('/users', userRoutes);

startPriceRefresh();
app.listen(Number(process.env.PORT ?? 3000));
