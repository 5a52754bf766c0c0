// strings.js: the texts of the learning curves (views/curves/curves.js), in English
// and Chinese, written for this page.

export const TEXTS = {
  en: {
    'curves.title': 'Learning curves',
    'curves.intro':
      'Each point of the faint line is the loss (or accuracy) of the images trained on since the previous point; the bold line smooths it (an exponential moving average). The dots are the validation set, scored after each epoch. x counts epochs.',
    'curves.empty': 'Start training above to watch the curves grow.',
    'curves.loss': 'Loss',
    'curves.accuracy': 'Accuracy',
    'curves.epoch': 'epoch',
    'curves.train': 'training (per batch)',
    'curves.trainSmooth': 'training (smoothed)',
    'curves.val': 'validation (per epoch)',
    'curves.best': 'best checkpoint',
    'curves.lossAria': 'Chart of the training and validation loss by epoch',
    'curves.accAria': 'Chart of the training and validation accuracy by epoch',
    'curves.wait': 'wait {wait}',
    'curves.stop.early': 'early stop',
    'curves.stop.diverged': 'diverged',
    'curves.stop.stopped': 'stopped',
    'curves.early': 'Early stopping: best validation loss {best} at epoch {bestEpoch}; {wait} of {patience} epochs without an improvement of at least {minDelta} (patience).',
    'curves.earlyStopped': 'Early stopping ended training after epoch {epoch}: the validation loss had not improved by at least min_delta for as many epochs as the patience allows ({patience}).',
    'curves.bestNote': 'The ringed dot marks the best checkpoint: the epoch with the lowest validation loss so far, whose weights were saved. Early stopping is stricter: it only counts a drop of at least min_delta as an improvement.',
    'curves.overfit.title': 'Lesson: overfitting',
    'curves.overfit.text':
      'Train the small model on only 200 images for 40 epochs, without early stopping, and watch the curves part: the training loss keeps falling towards zero while the validation loss stops falling and then climbs. With so few examples the network memorizes those 200 images, details and noise included, instead of learning what shirts and shoes have in common, so it does worse on images it has not seen. More data, early stopping at the best checkpoint, Dropout or a smaller model all fight it.',
    'curves.overfit.button': 'Run the overfitting experiment',
    'curves.overfit.busy': 'Stop the current training first.',
  },
  zh: {
    'curves.title': '学习曲线',
    'curves.intro':
      '浅色线上的每个点，是自上一个点以来训练过的那些图像的损失（或准确率）；粗线把它平滑了（指数移动平均）。圆点是每轮结束后在验证集上的得分。横轴按轮（epoch）计。',
    'curves.empty': '在上面开始训练，就能看到曲线一点点画出来。',
    'curves.loss': '损失',
    'curves.accuracy': '准确率',
    'curves.epoch': '轮',
    'curves.train': '训练（每批）',
    'curves.trainSmooth': '训练（平滑后）',
    'curves.val': '验证（每轮）',
    'curves.best': '最佳检查点',
    'curves.lossAria': '训练和验证损失随轮数变化的图表',
    'curves.accAria': '训练和验证准确率随轮数变化的图表',
    'curves.wait': '等待 {wait}',
    'curves.stop.early': '早停',
    'curves.stop.diverged': '发散',
    'curves.stop.stopped': '已停止',
    'curves.early': '早停：最佳验证损失 {best}，出现在第 {bestEpoch} 轮；已连续 {wait}/{patience} 轮没有至少 {minDelta} 的改善（耐心）。',
    'curves.earlyStopped': '早停在第 {epoch} 轮后结束了训练：验证损失已连续 {patience} 轮（耐心允许的轮数）没有下降至少 min_delta。',
    'curves.bestNote': '带圈的点是最佳检查点：到目前为止验证损失最低的那一轮，它的权重被保存了下来。早停更严格：只有下降至少 min_delta 才算改善。',
    'curves.overfit.title': '实验：过拟合',
    'curves.overfit.text':
      '只用 200 张图像训练小模型 40 轮，不用早停，看两条曲线分开：训练损失一直降向零，验证损失却先停下、再回升。样本这么少，网络记住了这 200 张图像本身（连细节和噪声一起），而没有学到衬衫、鞋子的共同特征，所以在没见过的图像上反而变差。更多数据、在最佳检查点早停、Dropout 或更小的模型，都能对抗过拟合。',
    'curves.overfit.button': '运行过拟合实验',
    'curves.overfit.busy': '请先停止当前的训练。',
  },
};
